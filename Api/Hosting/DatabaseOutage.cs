using System.Data.Common;
using ContentApi.Infrastructure;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ContentApi.Api.Hosting;

/// <summary>
/// While the database cannot be reached, a request that needs it is answered 503 with Retry-After
/// (<see cref="ProblemDetailsExceptionHandler"/>), and the outage is logged twice: one warning when the first request
/// fails, one when a command succeeds again, with how long it lasted and how many requests were refused. Not a stack
/// trace per failed request (13 KB each, 48 MB in a 15 s outage under load). Nothing here retries or holds requests
/// back: every request tries the database, so the first one after it is back succeeds and ends the outage (Npgsql
/// opens new connections by itself). Answers the response store holds are served throughout: it runs before anything
/// that needs the database.
/// </summary>
public sealed class DatabaseOutage(IOptions<DatabaseOptions> options, ILogger<DatabaseOutage> log)
    : DbCommandInterceptor
{
    private readonly Lock _gate = new();
    // When the outage started (UTC ticks of the wall clock, as EF Core times commands), 0 while there is none.
    private long _since;
    private int _refused;

    /// <summary>What a client is told to wait before it tries again.</summary>
    public int RetryAfterSeconds => Math.Max(1, options.Value.RetryAfterSeconds);

    /// <summary>
    /// Whether <paramref name="exception"/> says the database cannot be reached: the connection was refused, lost or
    /// timed out, the pool had no connection to give in time, or the server is shutting down, starting up or full.
    /// EF Core's wrappers (DbUpdateException, a retry strategy's InvalidOperationException) are looked through. A
    /// statement the server refused (a conflict, a client's bad value, a statement timeout) is not an outage.
    /// </summary>
    public static bool IsUnreachable(Exception exception)
    {
        for (Exception? cause = exception; cause is not null; cause = cause.InnerException)
        {
            switch (cause)
            {
                case PostgresException postgres:
                    // 08: connection exceptions; 57P01-03: admin shutdown, crash shutdown, cannot connect now (starting
                    // up or shutting down); 53300: too many connections.
                    return postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
                        || postgres.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
                            or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections;
                case NpgsqlException npgsql:
                    // Npgsql's own errors (not the server's) are transient when a socket, I/O or timeout is behind
                    // them: refused, reset, closed mid-read, or no pooled connection in time.
                    return npgsql.IsTransient;
            }
        }
        return false;
    }

    /// <summary>Counts a request refused for the outage; the first one starts it (and logs it).</summary>
    public void Refused(Exception exception)
    {
        lock (_gate)
        {
            _refused++;
            if (_since != 0)
                return;
            Volatile.Write(ref _since, DateTime.UtcNow.Ticks);
        }
        log.LogWarning("The database cannot be reached ({Reason}); requests that need it are answered 503 until it is back",
            Innermost(exception).Message);
    }

    /// <summary>
    /// A command went through: the database is reachable, and an outage ends if the command began after it started
    /// (one that began before, on a connection not cut yet, says nothing about now).
    /// </summary>
    private void Reached(CommandExecutedEventData command)
    {
        // The path of every command: one read of a field while there is no outage.
        if (Volatile.Read(ref _since) == 0)
            return;
        long since;
        int refused;
        lock (_gate)
        {
            if (_since == 0 || command.StartTime.UtcTicks <= _since)
                return;
            since = _since;
            refused = _refused;
            _since = 0;
            _refused = 0;
        }
        log.LogWarning("The database is reachable again after {Seconds:0.0} s; {Refused} requests were answered 503 meanwhile",
            TimeSpan.FromTicks(DateTime.UtcNow.Ticks - since).TotalSeconds, refused);
    }

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is not null)
            exception = exception.InnerException;
        return exception;
    }

    public override DbDataReader ReaderExecuted(DbCommand command, CommandExecutedEventData eventData, DbDataReader result)
    {
        Reached(eventData);
        return result;
    }

    public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData,
        DbDataReader result, CancellationToken cancellationToken = default)
    {
        Reached(eventData);
        return ValueTask.FromResult(result);
    }

    public override int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        Reached(eventData);
        return result;
    }

    public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result,
        CancellationToken cancellationToken = default)
    {
        Reached(eventData);
        return ValueTask.FromResult(result);
    }

    public override object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        Reached(eventData);
        return result;
    }

    public override ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData,
        object? result, CancellationToken cancellationToken = default)
    {
        Reached(eventData);
        return ValueTask.FromResult(result);
    }
}

public static class DatabaseOutageSetup
{
    /// <summary>The outage's bookkeeping, seen by the exception handler and by every command of the store and delivery face.</summary>
    public static void AddDatabaseOutage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DatabaseOutage>();
        builder.Services.AddSingleton<IInterceptor>(services => services.GetRequiredService<DatabaseOutage>());
    }
}
