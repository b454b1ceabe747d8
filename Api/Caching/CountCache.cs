using System.Collections;
using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ContentApi.Api.Caching;

/// <summary>
/// Remembers the answers of <c>SELECT count(*)</c> commands (list totals, OData <c>$count</c>) until content changes.
/// Counting every published article, or every article with a tag, reads thousands of index entries for one number;
/// the pages of a list, and every request for the same filter, share that number. Any write this process commits
/// clears the cache (<see cref="ContentOutputCache"/> calls <see cref="Clear"/>), and entries expire after
/// <see cref="Lifetime"/> so that writes of other instances show up too.
/// </summary>
public sealed class CountCache(TimeProvider clock) : DbCommandInterceptor
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);
    private const int MaxEntries = 1000;

    private readonly ConcurrentDictionary<string, (object Value, DateTimeOffset Until)> _counts = new();
    private long _generation;

    /// <summary>Forgets every count. Counts that were running when this is called are not stored either.</summary>
    public void Clear()
    {
        Interlocked.Increment(ref _generation);
        _counts.Clear();
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result)
    {
        if (result.HasResult || Key(command) is not { } key)
            return result;
        if (!TryGet(key, out var value))
        {
            var generation = Interlocked.Read(ref _generation);
            value = command.ExecuteScalar()!;
            Store(key, value, generation);
        }
        return InterceptionResult<DbDataReader>.SuppressWithResult(Reader(value));
    }

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command,
        CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        if (result.HasResult || Key(command) is not { } key)
            return result;
        if (!TryGet(key, out var value))
        {
            var generation = Interlocked.Read(ref _generation);
            value = (await command.ExecuteScalarAsync(cancellationToken))!;
            Store(key, value, generation);
        }
        return InterceptionResult<DbDataReader>.SuppressWithResult(Reader(value));
    }

    private bool TryGet(string key, out object value)
    {
        if (_counts.TryGetValue(key, out var entry) && entry.Until > clock.GetUtcNow())
        {
            value = entry.Value;
            return true;
        }
        value = null!;
        return false;
    }

    private void Store(string key, object value, long generation)
    {
        if (_counts.Count >= MaxEntries)
            _counts.Clear();
        _counts[key] = (value, clock.GetUtcNow() + Lifetime);
        // A write committed while this count ran: what it counted may already be out of date.
        if (Interlocked.Read(ref _generation) != generation)
            _counts.TryRemove(key, out _);
    }

    /// <summary>The key of a count outside any transaction: its SQL and the values of its parameters.</summary>
    private static string? Key(DbCommand command)
    {
        if (command.Transaction is not null || command.CommandType != CommandType.Text
            || !command.CommandText.StartsWith("SELECT count(*)", StringComparison.Ordinal))
            return null;
        var key = new StringBuilder(command.CommandText);
        foreach (DbParameter parameter in command.Parameters)
            key.Append('\u001e').Append(parameter.ParameterName).Append('=').Append(Text(parameter.Value));
        return key.ToString();
    }

    private static string Text(object? value) => value switch
    {
        null or DBNull => "\u2205",
        string text => text,
        DateTime time => time.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset time => time.ToString("O", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable items => "[" + string.Join('\u001f', items.Cast<object?>().Select(Text)) + "]",
        _ => value.ToString() ?? "",
    };

    /// <summary>A reader of one row with the count, as PostgreSQL would have answered it.</summary>
    private static DbDataReader Reader(object value)
    {
        var table = new DataTable();
        table.Columns.Add("count", value.GetType());
        table.Rows.Add(value);
        return table.CreateDataReader();
    }
}
