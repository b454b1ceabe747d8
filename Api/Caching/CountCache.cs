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
/// the pages of a list, and every request for the same filter, share that number. Any committed write clears the cache
/// (<see cref="Eviction"/> calls <see cref="Clear"/>: this process's saves, and other instances' as the database
/// reports them), and entries expire after <see cref="Lifetime"/> in any case.
/// </summary>
public sealed class CountCache(TimeProvider clock) : DbCommandInterceptor, ContentApi.Infrastructure.IPrimaryOnlyInterceptor
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);
    private const int MaxEntries = 1000;

    private readonly ConcurrentDictionary<string, (object Value, DateTimeOffset Until)> _counts = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<object>> _running = new();
    private long _generation;
    private volatile bool _suspended;

    /// <summary>Forgets every count. Counts that were running when this is called are not stored either.</summary>
    public void Clear()
    {
        Interlocked.Increment(ref _generation);
        _counts.Clear();
        // Counts already running may have read what was there before: requests from now on do not wait for them.
        _running.Clear();
    }

    /// <summary>Forgets every count and keeps none until <see cref="Resume"/> (see <see cref="Eviction.Suspend"/>).</summary>
    public void Suspend()
    {
        _suspended = true;
        Clear();
    }

    public void Resume()
    {
        _suspended = false;
        Clear();
    }

    // OData counts synchronously: the same path, where every wait completes before it returns.
    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result) => AnswerAsync(command, result, sync: true, default).GetAwaiter().GetResult();

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command,
        CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
        AnswerAsync(command, result, sync: false, cancellationToken);

    private async ValueTask<InterceptionResult<DbDataReader>> AnswerAsync(DbCommand command,
        InterceptionResult<DbDataReader> result, bool sync, CancellationToken cancellationToken)
    {
        if (result.HasResult || Key(command) is not { } key)
            return result;
        if (!TryGet(key, out var value))
        {
            Func<Task<object>> count = sync ? () => Task.FromResult(Count(command)) : () => CountAsync(command, cancellationToken);
            var (running, leader) = Join(key);
            if (leader)
                value = await LeadAsync(key, running, count);
            else
            {
                // Another request is running the same count: its answer, or (if it failed) a count of our own.
                try { value = sync ? running.Task.GetAwaiter().GetResult() : await running.Task.WaitAsync(cancellationToken); }
                catch (Exception) when (!cancellationToken.IsCancellationRequested) { value = await count(); }
            }
        }
        return InterceptionResult<DbDataReader>.SuppressWithResult(Reader(value));
    }

    // Read the way EF Core reads it. (When reads and writes shared connections with auto-prepared statements, Npgsql
    // answered "unexpected backend message DataRow" here now and then: npgsql/npgsql#6391, after a failed write was
    // rolled back on the connection. Reads now have connections of their own: Infrastructure/DependencyInjection.cs.)
    private static object Count(DbCommand command)
    {
        using var reader = command.ExecuteReader();
        reader.Read();
        return reader.GetValue(0);
    }

    private static async Task<object> CountAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return reader.GetValue(0);
    }

    /// <summary>
    /// One count per key at a time: when many requests miss the same count at once (a cold start, right after a write),
    /// the first runs it and the others wait for its answer instead of each running it. If the first fails, the others
    /// run their own.
    /// </summary>
    private (TaskCompletionSource<object> Running, bool Leader) Join(string key)
    {
        var mine = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = _running.GetOrAdd(key, mine);
        return (running, running == mine);
    }

    /// <summary>Runs the count, stores it and hands it to the requests that wait for it.</summary>
    private async Task<object> LeadAsync(string key, TaskCompletionSource<object> running, Func<Task<object>> count)
    {
        var generation = Interlocked.Read(ref _generation);
        try
        {
            var value = await count();
            Store(key, value, generation);
            running.SetResult(value);
            return value;
        }
        catch (Exception exception)
        {
            running.SetException(exception);
            throw;
        }
        finally
        {
            _running.TryRemove(KeyValuePair.Create(key, running));
        }
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
        if (Interlocked.Read(ref _generation) != generation || _suspended)
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

    /// <summary>A parameter's value, written so that no two different values read the same (type, length, text).</summary>
    private static string Text(object? value) => value switch
    {
        null or DBNull => "null",
        string text => $"s{text.Length}:{text}",
        DateTime time => $"t:{time.ToString("O", CultureInfo.InvariantCulture)}",
        DateTimeOffset time => $"o:{time.ToString("O", CultureInfo.InvariantCulture)}",
        IFormattable formattable => $"{value.GetType().Name}:{formattable.ToString(null, CultureInfo.InvariantCulture)}",
        IEnumerable items => "[" + string.Concat(items.Cast<object?>().Select(item => Text(item) + ";")) + "]",
        _ => $"{value.GetType().Name}:{value}",
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
