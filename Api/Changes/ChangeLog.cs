using ContentApi.Domain;
using ContentApi.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ContentApi.Api.Changes;

/// <summary>The change log's upkeep, section "ChangeLog".</summary>
public sealed class ChangeLogOptions
{
    public const string Section = "ChangeLog";

    /// <summary>
    /// How long entries are kept; 0 keeps them for ever. A sync token older than this answers 410 Gone (the app
    /// starts over), and webhooks cannot be redelivered from further back.
    /// </summary>
    public int RetentionDays { get; set; } = 90;
    /// <summary>How often entries older than the retention are deleted.</summary>
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromHours(1);
    /// <summary>Rows deleted per statement, so pruning never holds a long lock.</summary>
    public int PruneBatchSize { get; set; } = 5_000;
}

/// <summary>
/// Where the log stands: the last position committed (every entry up to it is visible or pruned), and the last one
/// pruned (entries up to it are gone).
/// </summary>
public sealed record ChangeLogState(long LastPosition, long PrunedThrough);

/// <summary>
/// The change log (<see cref="ChangeLogEntry"/>): what anonymous readers see that changed, in commit order. The
/// database writes it (migration ChangeLog); this reads it. What an item looks like now is the reader's to say
/// (<see cref="Reading.ContentReader"/>): the log only says that, and when, it changed.
/// </summary>
public static class ChangeLog
{
    public static void AddChangeLog(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ChangeLogOptions>().Bind(builder.Configuration.GetSection(ChangeLogOptions.Section))
            .Validate(o => o.RetentionDays >= 0 && o.PruneInterval > TimeSpan.Zero && o.PruneBatchSize > 0,
                "ChangeLog: RetentionDays must be 0 or more, PruneInterval positive, PruneBatchSize 1 or more.")
            .ValidateOnStart();
        builder.Services.AddSingleton<ChangeLogRetention>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ChangeLogRetention>());
    }

    /// <summary>
    /// Committed entries after <paramref name="position"/>, in order. Positions are given at commit one transaction
    /// at a time, so none below the last one read can still appear. A reader that must know whether entries after
    /// its position were pruned reads <see cref="StateAsync"/> after the entries (or in the same snapshot).
    /// </summary>
    public static IQueryable<ChangeLogEntry> After(DbContext db, long position) =>
        db.Set<ChangeLogEntry>().Where(e => e.Position > position).OrderBy(e => e.Position);

    /// <summary>The last position committed: every entry up to it is visible or pruned.</summary>
    public const string LastPositionSql = "SELECT GREATEST(pruned_through, (SELECT max(position) FROM change_log)) FROM change_log_state";

    public static async Task<ChangeLogState> StateAsync(DbContext db, CancellationToken ct = default) =>
        await db.Database.SqlQuery<ChangeLogState>($"""
            SELECT GREATEST(pruned_through, (SELECT max(position) FROM change_log)) AS last_position, pruned_through
            FROM change_log_state
            """).SingleAsync(ct);
}

/// <summary>Deletes change-log entries older than the retention, in batches, every prune interval.</summary>
public sealed class ChangeLogRetention(IServiceScopeFactory scopes, TimeProvider clock, IOptions<ChangeLogOptions> options,
    ILogger<ChangeLogRetention> log) : BackgroundService
{
    /// <summary>
    /// Deletes the entries committed before <paramref name="cutoff"/>, oldest first, and moves the log's pruned mark to
    /// the last one deleted; how many. The mark moves in the statement that deletes, so a reader never sees a gap
    /// without it.
    /// </summary>
    public async Task<int> PruneAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ContentDbContext>();
        // Entries get their time and position together, at commit, so the times rise with the positions.
        var through = await db.Set<ChangeLogEntry>().Where(e => e.ChangedAt < cutoff).MaxAsync(e => (long?)e.Position, cancellationToken);
        if (through is null)
            return 0;
        // One statement deletes a batch and moves the mark (top level: EF would wrap a query in a subquery, where
        // PostgreSQL allows no DELETE).
        var connection = (Npgsql.NpgsqlConnection)db.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);
        await using var command = new Npgsql.NpgsqlCommand("""
            WITH gone AS (
                DELETE FROM change_log WHERE position IN (
                    SELECT position FROM change_log WHERE position <= $1 ORDER BY position LIMIT $2)
                RETURNING position),
            marked AS (
                UPDATE change_log_state SET pruned_through = GREATEST(pruned_through, (SELECT max(position) FROM gone))
                WHERE EXISTS (SELECT FROM gone))
            SELECT count(*)::int FROM gone
            """, connection);
        command.Parameters.Add(new() { Value = through.Value });
        command.Parameters.Add(new() { Value = batchSize });
        var total = 0;
        while (true)
        {
            var deleted = (int)(await command.ExecuteScalarAsync(cancellationToken))!;
            total += deleted;
            if (deleted < batchSize)
                return total;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.RetentionDays == 0)
            return;
        using var timer = new PeriodicTimer(settings.PruneInterval);
        try
        {
            // Once at start too: instances restarted more often than the interval would never prune.
            do
            {
                try
                {
                    var deleted = await PruneAsync(clock.GetUtcNow().AddDays(-settings.RetentionDays), settings.PruneBatchSize, stoppingToken);
                    if (deleted > 0)
                        log.LogInformation("Deleted {Count} change-log entries older than {Days} days.", deleted, settings.RetentionDays);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log.LogWarning("The change log could not be pruned ({Error}); trying again in {Interval}.", e.Message, settings.PruneInterval);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
