using ContentApi.Domain;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace ContentApi.Infrastructure;

/// <summary>A PostgreSQL standby for anonymous reads, section "Standby" (the server: <c>ConnectionStrings:ContentDbStandby</c>).</summary>
public sealed class StandbyOptions
{
    public const string Section = "Standby";

    /// <summary>
    /// How long after a change an anonymous read waits at most for the standby to have replayed it; a standby further
    /// behind is not read (the primary is) until it has caught up.
    /// </summary>
    public TimeSpan MaxLag { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long anonymous reads stay on the primary after the standby failed (refused, lost, not a standby).</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// The standby that anonymous reads may go to, and whether it is current enough to read now. Every change that evicts
/// answers of the response store calls <see cref="Moved"/> first (after its commit): the next read that would refill the
/// store asks the primary where its WAL stands (<c>pg_current_wal_lsn()</c>, at or past the end of every commit made
/// so far), once for all reads since that change, and reads the standby only when its replay
/// (<c>pg_last_wal_replay_lsn()</c>) has reached that position: an answer the store keeps never holds the standby's
/// state from before the change that evicted it. It waits <see cref="StandbyOptions.MaxLag"/> at most after the change
/// (all waiting reads share one poll of the standby); a standby further behind, one that is down or refuses, is not read:
/// the primary answers (and a standby behind is not waited for after the next changes, only probed, until it has caught
/// up). A new connection to the standby that finds it behind what was already read there (a standby
/// restarted from an older point, or another server behind the same address) is refused, so reads never go backwards.
/// </summary>
public sealed class Standby : IAsyncDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);
    private readonly string _primary;
    private readonly StandbyOptions _options;
    private readonly ILogger<Standby> _log;
    private readonly Lock _gate = new();
    private long _moves;
    private Epoch? _epoch;
    private ulong _replayed;
    private long _downUntil;
    private int _down;
    private bool _lagging;
    private long _standbyReads;
    private long _primaryReads;

    public Standby(string? standby, string primary, IOptions<StandbyOptions> options, ILogger<Standby> log)
    {
        _primary = primary;
        _options = options.Value;
        _log = log;
        if (string.IsNullOrWhiteSpace(standby))
            return;
        var source = new NpgsqlDataSourceBuilder(standby);
        source.MapEnum<ContentStatus>("content_status", nameTranslator: new Npgsql.NameTranslation.NpgsqlNullNameTranslator());
        // What was read there before the connection asks: a value another connection saw meanwhile may be newer.
        source.UsePhysicalConnectionInitializer(connection => Connected(Volatile.Read(ref _replayed), Replay(connection)),
            async connection => Connected(Volatile.Read(ref _replayed), await ReplayAsync(connection)));
        DataSource = source.Build();
    }

    /// <summary>The standby's connections (the delivery face's settings), or null when none is configured.</summary>
    public NpgsqlDataSource? DataSource { get; }

    public bool Configured => DataSource is not null;

    /// <summary>Reads answered by the standby, and by the primary in its place (behind, down), since the start.</summary>
    public (long Standby, long Primary) Reads => (Interlocked.Read(ref _standbyReads), Interlocked.Read(ref _primaryReads));

    /// <summary>Content changed (committed): reads from now on wait for the standby to have replayed it.</summary>
    public void Moved() => Interlocked.Increment(ref _moves);

    /// <summary>Whether this read may go to the standby now; waits for it to catch up (bounded) after a change.</summary>
    public async ValueTask<bool> CurrentAsync(CancellationToken cancellationToken)
    {
        var current = DataSource is not null && Environment.TickCount64 >= Volatile.Read(ref _downUntil)
            && await CaughtUpAsync(cancellationToken);
        if (current && Volatile.Read(ref _down) == 1)
            Back();
        Interlocked.Increment(ref current ? ref _standbyReads : ref _primaryReads);
        return current;
    }

    /// <summary>A read on the standby failed (refused, lost, cancelled by recovery): the primary answers for a while.</summary>
    public void Failed(Exception exception)
    {
        Volatile.Write(ref _downUntil, Environment.TickCount64 + (long)_options.RetryAfter.TotalMilliseconds);
        // Whatever was known of it may not hold for the server that answers next.
        Interlocked.Exchange(ref _replayed, 0);
        DataSource?.Clear();
        if (Interlocked.Exchange(ref _down, 1) == 0)
            _log.LogWarning("The standby is not read ({Reason}); anonymous reads go to the primary, trying the standby again every {Seconds} s.",
                exception.Message, _options.RetryAfter.TotalSeconds);
    }

    /// <summary>Whether <paramref name="exception"/> is the standby's failure, after which the primary can answer the same read.</summary>
    public static bool IsStandbyFailure(Exception exception)
    {
        for (Exception? cause = exception; cause is not null; cause = cause.InnerException)
            switch (cause)
            {
                case StandbyBehindException:
                    return true;
                case PostgresException postgres:
                    // Connection exceptions, shutting down, starting up, full; 40001 is also how a hot standby cancels a
                    // query that conflicts with the replay (vacuum removed rows it needed).
                    return postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
                        || postgres.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
                            or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections
                            or PostgresErrorCodes.SerializationFailure;
                case NpgsqlException { IsTransient: true }:
                    return true;
            }
        // Anything else (a statement timeout, a query EF Core cannot translate) would fail on the primary too.
        return false;
    }

    private async Task<bool> CaughtUpAsync(CancellationToken cancellationToken)
    {
        var epoch = CurrentEpoch();
        ulong floor;
        try
        {
            floor = await epoch.Floor.WaitAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The primary cannot say where it stands: read it, as without a standby; the next read asks again.
            Moved();
            return false;
        }
        if (Volatile.Read(ref _replayed) >= floor)
            return true;
        return await epoch.CatchUp(() => CatchUpAsync(floor, epoch.Deadline)).WaitAsync(cancellationToken);
    }

    /// <summary>The reads since the last change, sharing the primary's position and the wait for the standby.</summary>
    private Epoch CurrentEpoch()
    {
        var moves = Interlocked.Read(ref _moves);
        var epoch = Volatile.Read(ref _epoch);
        if (epoch?.Moves == moves)
            return epoch;
        lock (_gate)
        {
            // Asked after the change was counted, so after its commit: the position is at or past its end.
            // A standby found further behind than MaxLag after the last change is not waited for again (one probe) until
            // it has caught up: changes coming faster than it replays would otherwise hold every first refill MaxLag long.
            if (_epoch?.Moves != moves)
                _epoch = new Epoch(moves, PrimaryPositionAsync(),
                    Environment.TickCount64 + (Volatile.Read(ref _lagging) ? 0 : (long)_options.MaxLag.TotalMilliseconds));
            return _epoch;
        }
    }

    private async Task<ulong> PrimaryPositionAsync()
    {
        await using var connection = new NpgsqlConnection(_primary);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_current_wal_lsn()", connection);
        return (ulong)(NpgsqlLogSequenceNumber)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Polls the standby until it has replayed <paramref name="floor"/>; false once the deadline passed.</summary>
    private async Task<bool> CatchUpAsync(ulong floor, long deadline)
    {
        while (true)
        {
            // A standby that does not answer (packets dropped) must not hold reads past the deadline either.
            using var limit = new CancellationTokenSource(TimeSpan.FromMilliseconds(Math.Max(1, deadline - Environment.TickCount64)));
            try
            {
                await using var connection = await DataSource!.OpenConnectionAsync(limit.Token);
                if (Advance(await ReplayAsync(connection, limit.Token)) >= floor)
                {
                    Volatile.Write(ref _lagging, false);
                    return true;
                }
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested)
            {
                Volatile.Write(ref _lagging, true);
                return false;
            }
            catch (Exception e)
            {
                Failed(e);
                return false;
            }
            if (Environment.TickCount64 >= deadline)
            {
                Volatile.Write(ref _lagging, true);
                return false;
            }
            await Task.Delay(Poll);
        }
    }

    private void Back()
    {
        if (Interlocked.Exchange(ref _down, 0) == 1)
            _log.LogInformation("The standby is read again.");
    }

    /// <summary>A new connection to the standby: refused when the server behind it has replayed less than was read there already.</summary>
    private void Connected(ulong known, ulong replayed)
    {
        if (replayed < known)
            throw new StandbyBehindException($"The standby has replayed up to {new NpgsqlLogSequenceNumber(replayed)}, behind {new NpgsqlLogSequenceNumber(known)} read there before.");
        Advance(replayed);
    }

    private ulong Advance(ulong replayed)
    {
        var known = Volatile.Read(ref _replayed);
        while (replayed > known)
        {
            var seen = Interlocked.CompareExchange(ref _replayed, replayed, known);
            if (seen == known)
                return replayed;
            known = seen;
        }
        return known;
    }

    private const string ReplaySql = "SELECT pg_last_wal_replay_lsn()";

    private static ulong Replay(NpgsqlConnection connection)
    {
        using var command = new NpgsqlCommand(ReplaySql, connection);
        return Position(command.ExecuteScalar());
    }

    private static async Task<ulong> ReplayAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        await using var command = new NpgsqlCommand(ReplaySql, connection);
        return Position(await command.ExecuteScalarAsync(cancellationToken));
    }

    // Null on a server that is not in recovery: a promoted standby, or a primary named as the standby by mistake.
    private static ulong Position(object? replay) => replay is NpgsqlLogSequenceNumber lsn
        ? (ulong)lsn
        : throw new StandbyBehindException("ConnectionStrings:ContentDbStandby names a server that is not a standby (pg_last_wal_replay_lsn() is null).");

    public async ValueTask DisposeAsync()
    {
        if (DataSource is not null)
            await DataSource.DisposeAsync();
    }

    private sealed class Epoch(long moves, Task<ulong> floor, long deadline)
    {
        private readonly Lock _gate = new();
        private Task<bool>? _catchUp;
        private long _ended;

        public long Moves { get; } = moves;
        /// <summary>The primary's position after the change: what the standby must have replayed.</summary>
        public Task<ulong> Floor { get; } = floor;
        public long Deadline { get; } = deadline;

        /// <summary>The wait for the standby that every read of this epoch shares; after it gave up, one probe per poll interval.</summary>
        public Task<bool> CatchUp(Func<Task<bool>> start)
        {
            lock (_gate)
            {
                if (_catchUp is null || (_catchUp.IsCompleted && Environment.TickCount64 - Volatile.Read(ref _ended) >= Poll.TotalMilliseconds))
                    _catchUp = Run(start);
                return _catchUp;
            }
        }

        private async Task<bool> Run(Func<Task<bool>> start)
        {
            try
            {
                return await start();
            }
            finally
            {
                Volatile.Write(ref _ended, Environment.TickCount64);
            }
        }
    }
}

/// <summary>The standby cannot serve a read now: it is behind what was read there, or it is no standby.</summary>
public sealed class StandbyBehindException(string message) : NpgsqlException(message);

/// <summary>
/// An interceptor that keeps what the primary answered (the count cache): the standby's contexts do not get it, since a
/// standby that is behind would have it keep, and hand to reads on the primary too, what an eviction has just made old.
/// </summary>
public interface IPrimaryOnlyInterceptor;
