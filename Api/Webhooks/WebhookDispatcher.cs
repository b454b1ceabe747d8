using ContentApi.Api.Changes;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ContentApi.Api.Webhooks;

/// <summary>
/// Delivers the change log to the subscriptions, at least once and in order per content item, from any number of API
/// instances at once:
/// <list type="bullet">
/// <item>Fan-out: each subscription keeps the last log position turned into deliveries; an instance takes the
/// subscriptions behind the log with <c>FOR UPDATE SKIP LOCKED</c>, inserts their deliveries and moves their positions
/// in one statement, so no entry is fanned out twice or skipped.</item>
/// <item>Sending: an instance leases due deliveries with <c>FOR UPDATE SKIP LOCKED</c>, never one with an earlier
/// delivery of the same item to the same subscription still pending (that one succeeds or finally fails first), sends
/// them, and records each attempt. A lease outlives an attempt, so a crashed instance's deliveries are taken over.</item>
/// <item>Waking: <c>LISTEN content_changes</c> (sent after each commit) and <c>webhooks</c> (an admin's redelivery),
/// with <c>Webhooks:PollInterval</c> as the fallback and the pace of retries.</item>
/// </list>
/// </summary>
public sealed class WebhookDispatcher(IServiceScopeFactory scopes, WebhookSender sender, WebhookPayloads payloads, TimeProvider clock,
    IOptions<WebhookOptions> options, IConfiguration configuration, ILogger<WebhookDispatcher> log) : BackgroundService
{
    /// <summary>The channel an admin's action notifies, so that every instance looks for work at once.</summary>
    public const string Channel = "webhooks";
    private const int FanOutBatch = 1000;
    private static readonly TimeSpan KeepFinished = TimeSpan.FromDays(30);

    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTimeOffset _lastPrune = DateTimeOffset.MinValue;

    private WebhookOptions Settings => options.Value;

    /// <summary>Look for work now (a change was committed, an admin asked for a redelivery, a test moved the clock).</summary>
    public void Wake() => _wake.TrySetResult();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Settings.Enabled)
            return;
        var listening = ListenAsync(stoppingToken);
        var inFlight = new List<Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            if (_wake.Task.IsCompleted)
                _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
            var woken = _wake.Task;
            try
            {
                await FanOutAsync(stoppingToken);
                inFlight.RemoveAll(task => task.IsCompleted);
                var room = Settings.BatchSize - inFlight.Count;
                if (room > 0)
                    foreach (var id in await LeaseDueAsync(room, stoppingToken))
                        inFlight.Add(AttemptAsync(id, stoppingToken));
                await PruneAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogWarning("Webhook delivery could not look for work ({Error}); trying again in {Interval}.", e.Message, Settings.PollInterval);
            }
            try
            {
                // A finished attempt may let the next delivery of the same item go.
                await Task.WhenAny([woken, Task.Delay(Settings.PollInterval, stoppingToken), .. inFlight]);
            }
            catch (OperationCanceledException)
            {
            }
        }
        await Task.WhenAll(inFlight).ContinueWith(_ => { }, CancellationToken.None);
        await listening;
    }

    /// <summary>
    /// Turns log entries after each subscription's position into its deliveries (those of the types it wants) and moves
    /// the position; how many subscriptions moved.
    /// </summary>
    public async Task<int> FanOutAsync(CancellationToken ct)
    {
        var total = 0;
        int moved;
        do
        {
            moved = await ExecuteAsync<int>($$"""
                WITH behind AS (
                    SELECT id, events, position, LEAST(l.last_position, position + $2) AS upto
                    FROM webhook_subscriptions, (SELECT ({{ChangeLog.LastPositionSql}}) AS last_position) l
                    WHERE enabled AND position < l.last_position
                    FOR UPDATE OF webhook_subscriptions SKIP LOCKED),
                made AS (
                    INSERT INTO webhook_deliveries (subscription_id, message_id, type, position, content_kind, content_id, change,
                        version, changed_at, state, attempts, created_at, retry_from, next_attempt_at)
                    SELECT s.id, 'msg_' || replace(gen_random_uuid()::text, '-', ''), t.type, c.position, c.kind, c.content_id,
                        c.change, c.version, c.changed_at, 'Pending', 0, $1, $1, $1
                    FROM behind s
                    JOIN change_log c ON c.position > s.position AND c.position <= s.upto
                    CROSS JOIN LATERAL (SELECT lower(c.kind) || '.' || lower(c.change) AS type) t
                    WHERE '*' = ANY(s.events) OR t.type = ANY(s.events) OR lower(c.kind) || '.*' = ANY(s.events)
                    ORDER BY c.position, s.id
                    RETURNING 1),
                moved AS (
                    UPDATE webhook_subscriptions w SET position = s.upto FROM behind s WHERE w.id = s.id RETURNING 1)
                SELECT (SELECT count(*) FROM moved)::int + 0 * (SELECT count(*) FROM made)::int
                """, ct, clock.GetUtcNow(), (long)FanOutBatch);
            total += moved;
        } while (moved > 0);
        return total;
    }

    /// <summary>Leases up to <paramref name="limit"/> due deliveries, oldest first; their ids.</summary>
    private async Task<List<long>> LeaseDueAsync(int limit, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        // At most PerSubscription attempts of one subscription at a time (those leased already included): a receiver
        // that times out holds its own slots, not every slot of the instance.
        return await QueryAsync<long>("""
            WITH candidates AS (
                SELECT c.id FROM (
                    SELECT d.id, d.subscription_id, row_number() OVER (PARTITION BY d.subscription_id ORDER BY d.id) AS n
                    FROM webhook_deliveries d
                    JOIN webhook_subscriptions s ON s.id = d.subscription_id
                    WHERE d.state = 'Pending' AND d.next_attempt_at <= $1 AND (d.lease_until IS NULL OR d.lease_until <= $1)
                      AND (s.enabled OR d.type = 'webhook.ping')
                      AND NOT EXISTS (
                          SELECT FROM webhook_deliveries e
                          WHERE e.subscription_id = d.subscription_id AND e.content_id = d.content_id AND e.state = 'Pending'
                            AND e.position < d.position)) c
                WHERE c.n + (SELECT count(*) FROM webhook_deliveries h
                             WHERE h.subscription_id = c.subscription_id AND h.state = 'Pending' AND h.lease_until > $1) <= $4
                ORDER BY c.id
                LIMIT $2),
            due AS (
                SELECT d.id FROM webhook_deliveries d JOIN candidates USING (id)
                WHERE d.state = 'Pending' AND (d.lease_until IS NULL OR d.lease_until <= $1)
                FOR UPDATE OF d SKIP LOCKED)
            UPDATE webhook_deliveries d SET lease_until = $3 FROM due WHERE d.id = due.id
            RETURNING d.id
            """, ct, now, limit, now + LeaseTime, (long)PerSubscription);
    }

    private TimeSpan LeaseTime => Settings.Timeout + TimeSpan.FromMinutes(1);

    /// <summary>Attempts one subscription may have in flight on all instances together: half the batch, at least one.</summary>
    private int PerSubscription => Math.Max(1, Settings.BatchSize / 2);

    /// <summary>Leases one delivery for an attempt now (a ping from an admin); false when another instance holds it.</summary>
    public async Task<bool> LeaseAsync(long deliveryId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var leased = await QueryAsync<long>("""
            UPDATE webhook_deliveries SET lease_until = $2
            WHERE id = $1 AND state = 'Pending' AND (lease_until IS NULL OR lease_until <= $3)
            RETURNING id
            """, ct, deliveryId, now + LeaseTime, now);
        return leased.Count == 1;
    }

    /// <summary>Sends a leased delivery once and records the attempt; the outcome.</summary>
    public async Task<AttemptOutcome?> AttemptAsync(long deliveryId, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ContentDbContext>();
            var delivery = await db.WebhookDeliveries.SingleAsync(d => d.Id == deliveryId, ct);
            var subscription = await db.WebhookSubscriptions.AsNoTracking().SingleAsync(s => s.Id == delivery.SubscriptionId, ct);
            if (delivery.Payload is null)
            {
                delivery.Payload = await payloads.ChangeAsync(scope.ServiceProvider, delivery, ct);
                await db.SaveChangesAsync(ct);
            }
            var outcome = await sender.SendAsync(subscription.Url, subscription.Secret, delivery.MessageId, delivery.Payload, ct);
            await RecordAsync(db, delivery, outcome);
            return outcome;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            log.LogWarning("Webhook delivery {Id} could not be attempted ({Error}); it is tried again.", deliveryId, e.Message);
            try
            {
                // Free for another round a moment later (when the database is out of reach, the lease runs out by itself).
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
                await QueryAsync<long>("UPDATE webhook_deliveries SET lease_until = NULL WHERE id = $1 AND state = 'Pending' RETURNING id", ct, deliveryId);
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
            }
            return null;
        }
    }

    /// <summary>
    /// The attempt in the delivery log; the delivery done, or due again after a backoff with jitter, or failed for good
    /// after <c>Webhooks:RetryFor</c>; the subscription disabled when its deliveries have failed for
    /// <c>Webhooks:DisableAfter</c>. A ping is attempted once and says nothing about the subscription's health.
    /// </summary>
    private async Task RecordAsync(ContentDbContext db, WebhookDelivery delivery, AttemptOutcome outcome)
    {
        var now = clock.GetUtcNow();
        var settings = Settings;
        delivery.Attempts++;
        delivery.LeaseUntil = null;
        db.WebhookAttempts.Add(new WebhookAttempt
        {
            DeliveryId = delivery.Id, SubscriptionId = delivery.SubscriptionId, Number = delivery.Attempts, At = now,
            Status = outcome.Status, Succeeded = outcome.Succeeded, LatencyMs = outcome.LatencyMs, Excerpt = outcome.Excerpt,
        });
        var ping = delivery.Type == WebhookEvents.Ping;
        if (outcome.Succeeded || ping)
        {
            delivery.State = outcome.Succeeded ? WebhookDeliveryState.Succeeded : WebhookDeliveryState.Failed;
            delivery.CompletedAt = now;
        }
        else
        {
            var next = now + Backoff(delivery.Attempts, settings);
            if (next > delivery.RetryFrom + settings.RetryFor)
            {
                delivery.State = WebhookDeliveryState.Failed;
                delivery.CompletedAt = now;
            }
            else
                delivery.NextAttemptAt = next;
        }
        await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
        await db.SaveChangesAsync(CancellationToken.None);
        if (!ping)
        {
            var subscriptions = db.WebhookSubscriptions.Where(s => s.Id == delivery.SubscriptionId);
            if (outcome.Succeeded)
                await subscriptions.Where(s => s.FailingSince != null).ExecuteUpdateAsync(s => s.SetProperty(x => x.FailingSince, (DateTimeOffset?)null));
            else
            {
                await subscriptions.Where(s => s.FailingSince == null).ExecuteUpdateAsync(s => s.SetProperty(x => x.FailingSince, now));
                var reason = $"Disabled at {now:u}: deliveries failed without a success for {settings.DisableAfter.TotalDays:0.##} days "
                    + $"(Webhooks:DisableAfter); the last attempt got {(outcome.Status is { } status ? $"HTTP {status}" : "no answer")}. "
                    + "Fix the receiver, then enable the subscription again.";
                await subscriptions.Where(s => s.Enabled && s.FailingSince <= now - settings.DisableAfter)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.Enabled, false).SetProperty(x => x.DisabledReason, reason));
            }
        }
        await transaction.CommitAsync(CancellationToken.None);
    }

    /// <summary>About twice the wait before, from <c>FirstRetryDelay</c> up to <c>MaxRetryDelay</c>, each between half and all of it (jitter).</summary>
    public static TimeSpan Backoff(int attempts, WebhookOptions settings)
    {
        var full = Math.Min(settings.FirstRetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempts - 1, 30)), settings.MaxRetryDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(full * (0.5 + Random.Shared.NextDouble() * 0.5));
    }

    /// <summary>Deletes deliveries finished more than 30 days ago (with their attempts), once an hour.</summary>
    private async Task PruneAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (now - _lastPrune < TimeSpan.FromHours(1) && now >= _lastPrune)
            return;
        _lastPrune = now;
        await ExecuteAsync<int>("""
            WITH gone AS (DELETE FROM webhook_deliveries WHERE id IN (
                SELECT id FROM webhook_deliveries WHERE completed_at < $1 LIMIT 5000) RETURNING 1)
            SELECT count(*)::int FROM gone
            """, ct, now - KeepFinished);
    }

    /// <summary>Wakes on every committed change and every admin's redelivery; reconnects when the connection drops.</summary>
    private async Task ListenAsync(CancellationToken ct)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(
            DependencyInjection.WriteConnectionString(ChangeListener.ListenConnectionString(configuration)))
        {
            Pooling = false, KeepAlive = 30, ApplicationName = "contentapi-webhooks",
        }.ConnectionString;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(ct);
                connection.Notification += (_, _) => Wake();
                await using (var listen = new NpgsqlCommand($"LISTEN content_changes; LISTEN {Channel}", connection))
                    await listen.ExecuteNonQueryAsync(ct);
                // Changes committed while not listening.
                Wake();
                while (true)
                    await connection.WaitAsync(ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                log.LogWarning("Webhook delivery lost its LISTEN connection ({Error}); polling every {Interval} until it is back.",
                    e.Message, Settings.PollInterval);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(2), ct);
                }
                catch (OperationCanceledException)
                {
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private async Task<T> ExecuteAsync<T>(string sql, CancellationToken ct, params object[] parameters) =>
        (await QueryAsync<T>(sql, ct, parameters)).Single();

    private async Task<List<T>> QueryAsync<T>(string sql, CancellationToken ct, params object[] parameters)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ContentDbContext>();
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            rows.Add(reader.GetFieldValue<T>(0));
        return rows;
    }
}
