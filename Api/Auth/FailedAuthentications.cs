using ContentApi.Api.Admin;
using ContentApi.Api.Hosting;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using Microsoft.Extensions.Options;

namespace ContentApi.Api.Auth;

/// <summary>
/// Refused requests (401 and 403) are counted in memory and written to the audit log in batches by this background
/// service: one row per kind of failure (action, status, caller, address, reason with the key's first characters) and
/// flush interval, with the number of times it happened. A flood of bad keys is then a few rows a minute, not one
/// write per request, and a 401 needs no database (only a well-formed API key is looked up). A 401 of a request with
/// credentials also counts against its address's failed-authentication limit (<see cref="ContentRateLimiter"/>).
/// </summary>
public sealed class FailedAuthentications(
    IServiceScopeFactory scopes, TimeProvider clock, IOptions<AuditOptions> options, ContentRateLimiter limiter,
    ILogger<FailedAuthentications> log) : BackgroundService
{
    /// <summary>Kinds kept apart between two flushes; more than this (a spray from many addresses) share one row.</summary>
    public const int MaxKinds = 10_000;
    private const string Overflow = "More kinds of failure than are kept apart between two writes of the log; counted together.";

    private readonly Lock _gate = new();
    private Dictionary<Kind, Tally> _pending = [];

    private readonly record struct Kind(string Action, int Status, string Actor, string? Address, string Details);

    private sealed class Tally(DateTimeOffset first)
    {
        public DateTimeOffset First { get; } = first;
        public int Count { get; set; }
    }

    public void Record(HttpContext context, string action, int status, string details)
    {
        if (status == StatusCodes.Status401Unauthorized && Caller.HasCredentials(context.Request))
            limiter.RecordFailure(context);
        var kind = new Kind(action, status, Audit.Actor(context.User), ClientAddress.Describe(context.Connection.RemoteIpAddress), Audit.Clip(details + KeyPrefix(context.Request)));
        lock (_gate)
        {
            if (!_pending.ContainsKey(kind) && _pending.Count >= MaxKinds)
                kind = kind with { Actor = "anonymous", Address = null, Details = Overflow };
            if (!_pending.TryGetValue(kind, out var tally))
                _pending[kind] = tally = new Tally(clock.GetUtcNow());
            tally.Count++;
        }
    }

    /// <summary>The first characters of the API key sent (what admins see as a key's prefix), to tell keys apart.</summary>
    private static string KeyPrefix(HttpRequest request) =>
        request.Headers.TryGetValue(ApiKeyAuthenticationHandler.Header, out var key) && key.ToString().Trim() is { Length: > 0 } text
            ? $" Key prefix: {text[..Math.Min(text.Length, ApiKeys.PrefixLength)]}"
            : "";

    /// <summary>Writes what was counted since the last flush; the number of rows written.</summary>
    public async Task<int> FlushAsync(CancellationToken cancellationToken = default)
    {
        Dictionary<Kind, Tally> batch;
        lock (_gate)
        {
            if (_pending.Count == 0)
                return 0;
            batch = _pending;
            _pending = [];
        }
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ContentDbContext>();
            db.AuditEntries.AddRange(batch.Select(pair => new AuditEntry
            {
                At = pair.Value.First, Actor = pair.Key.Actor, Action = pair.Key.Action, Address = pair.Key.Address,
                Status = pair.Key.Status, Details = pair.Key.Details, Count = pair.Value.Count,
            }));
            await db.SaveChangesAsync(cancellationToken);
            return batch.Count;
        }
        catch
        {
            // The database is away: the counts wait for the next flush instead of being lost.
            lock (_gate)
                foreach (var (kind, tally) in batch)
                    if (_pending.TryGetValue(kind, out var newer))
                        newer.Count += tally.Count;
                    else if (_pending.Count < MaxKinds)
                        _pending[kind] = tally;
            throw;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.FlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                await TryFlushAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await TryFlushAsync(cancellationToken);
    }

    private async Task TryFlushAsync(CancellationToken cancellationToken)
    {
        try
        {
            await FlushAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning("The counts of refused requests could not be written to the audit log ({Error}); they are kept for the next try.", e.Message);
        }
    }
}
