using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using ContentApi.Api.Auth;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace ContentApi.Api.Hosting;

/// <summary>One limit: so many requests in a fixed window.</summary>
public sealed class RateLimitRule
{
    public int PermitLimit { get; set; }
    public TimeSpan Window { get; set; }
}

/// <summary>
/// Rate limits, section "RateLimits". The defaults suit a municipal site behind a CDN that answers most anonymous reads
/// itself: 600 requests a minute from one client address (10 a second, far above a person reading; the CDN's own
/// addresses must be trusted proxies, see <see cref="ProxyTrustOptions"/>, or they share one allowance), 1,200 a minute
/// per API key or token, and 20 failed authentications in 5 minutes from one address before that address's requests
/// with credentials are refused for the rest of the window.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    public bool Enabled { get; set; } = true;
    /// <summary>Requests without credentials, per client address (IPv6: per /64).</summary>
    public RateLimitRule Anonymous { get; set; } = new() { PermitLimit = 600, Window = TimeSpan.FromMinutes(1) };
    /// <summary>Requests with credentials, per credential (API key or bearer token).</summary>
    public RateLimitRule Authenticated { get; set; } = new() { PermitLimit = 1200, Window = TimeSpan.FromMinutes(1) };
    /// <summary>Failed authentications per client address, before requests with credentials from it are refused.</summary>
    public RateLimitRule FailedAuthentication { get; set; } = new() { PermitLimit = 20, Window = TimeSpan.FromMinutes(5) };

    public IEnumerable<string> Problems()
    {
        foreach (var (name, rule) in new[] { (nameof(Anonymous), Anonymous), (nameof(Authenticated), Authenticated), (nameof(FailedAuthentication), FailedAuthentication) })
        {
            if (rule.PermitLimit < 1)
                yield return $"{Section}:{name}:PermitLimit must be 1 or more (got {rule.PermitLimit}).";
            if (rule.Window < TimeSpan.FromSeconds(1))
                yield return $"{Section}:{name}:Window must be a second or more (got {rule.Window}).";
        }
    }
}

/// <summary>
/// The rate limiter of every request, run before the response store so that stored answers count too. It partitions
/// on what the request itself says, before authentication and without the database: the client's address (after
/// trusted forwarded headers) for anonymous callers, a hash of the credential presented for the others. A client
/// address with too many failed authentications (<see cref="RecordFailure"/>) has its requests with credentials
/// refused before they reach authentication. Fixed windows: no allocation for an allowed request.
/// </summary>
public sealed class ContentRateLimiter : PartitionedRateLimiter<HttpContext>
{
    private readonly FixedWindows<ClientAddress> _anonymous;
    private readonly FixedWindows<string> _keys;
    private readonly FixedWindows<ClientAddress> _failures;

    public ContentRateLimiter(IOptions<RateLimitOptions> options)
    {
        var value = options.Value;
        Anonymous = new RateLimitPolicy("anonymous", value.Anonymous);
        Authenticated = new RateLimitPolicy("key", value.Authenticated);
        FailedAuthentication = new RateLimitPolicy("failed-auth", value.FailedAuthentication);
        _anonymous = new FixedWindows<ClientAddress>(value.Anonymous);
        _keys = new FixedWindows<string>(value.Authenticated);
        _failures = new FixedWindows<ClientAddress>(value.FailedAuthentication);
    }

    public RateLimitPolicy Anonymous { get; }
    public RateLimitPolicy Authenticated { get; }
    public RateLimitPolicy FailedAuthentication { get; }

    protected override RateLimitLease AttemptAcquireCore(HttpContext context, int permitCount)
    {
        var request = context.Request;
        var client = ClientAddress.Of(context.Connection.RemoteIpAddress);
        if (!Caller.HasCredentials(request))
            return Refused(_anonymous.AttemptAcquire(client, permitCount), Anonymous);
        using (var gate = _failures.AttemptAcquire(client, 0))
            if (!gate.IsAcquired)
                return new RefusedLease(FailedAuthentication, RetryAfter(gate, FailedAuthentication));
        return Refused(_keys.AttemptAcquire(CredentialKey(request), permitCount), Authenticated);
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext context, int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(context, permitCount));

    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => null;

    /// <summary>Counts a failed authentication of a request with credentials against its client address.</summary>
    public void RecordFailure(HttpContext context) =>
        _failures.AttemptAcquire(ClientAddress.Of(context.Connection.RemoteIpAddress)).Dispose();

    private static RateLimitLease Refused(RateLimitLease lease, RateLimitPolicy policy)
    {
        if (lease.IsAcquired)
            return lease;
        var retryAfter = RetryAfter(lease, policy);
        lease.Dispose();
        return new RefusedLease(policy, retryAfter);
    }

    private static TimeSpan RetryAfter(RateLimitLease lease, RateLimitPolicy policy) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : policy.Window;

    /// <summary>
    /// The partition of a credential: a hash of the X-Api-Key or Authorization header, so the limiter keeps no secret
    /// and needs no database. An unknown credential gets a partition of its own until it fails; failures are limited per
    /// address (<see cref="RecordFailure"/>).
    /// </summary>
    private static string CredentialKey(HttpRequest request)
    {
        var credential = request.Headers.TryGetValue(ApiKeyAuthenticationHandler.Header, out var key) ? key.ToString() : request.Headers.Authorization.ToString();
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(credential), hash);
        return Convert.ToHexString(hash[..16]);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _anonymous.Dispose();
            _keys.Dispose();
            _failures.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>A limit as the IETF draft's headers name it (draft-ietf-httpapi-ratelimit-headers).</summary>
public sealed record RateLimitPolicy(string Name, int Quota, TimeSpan Window)
{
    public RateLimitPolicy(string name, RateLimitRule rule) : this(name, rule.PermitLimit, rule.Window) { }

    /// <summary>e.g. <c>"anonymous";q=600;w=60</c></summary>
    public string Header { get; } = $"\"{Name}\";q={Quota};w={(long)Math.Ceiling(Window.TotalSeconds)}";
}

/// <summary>A refusal, with the policy that refused and when to come back.</summary>
public sealed class RefusedLease(RateLimitPolicy policy, TimeSpan retryAfter) : RateLimitLease
{
    public RateLimitPolicy Policy => policy;
    public TimeSpan RetryAfter => retryAfter;
    public override bool IsAcquired => false;
    public override IEnumerable<string> MetadataNames => [MetadataName.RetryAfter.Name];

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
        return metadata is not null;
    }
}

/// <summary>
/// A client address as a partition key without allocating: IPv4 addresses as they are, IPv6 addresses by their /64
/// (what one household or server is given, so an attacker cannot hop through its own range).
/// </summary>
public readonly record struct ClientAddress(ulong High, ulong Low)
{
    private const ulong V4 = 1UL << 32;

    public static ClientAddress Of(IPAddress? address)
    {
        if (address is null)
            return default;
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out _))
            return default;
        if (address.AddressFamily == AddressFamily.InterNetwork)
            return new ClientAddress(0, V4 | BinaryPrimitives.ReadUInt32BigEndian(bytes));
        if (address.IsIPv4MappedToIPv6)
            return new ClientAddress(0, V4 | BinaryPrimitives.ReadUInt32BigEndian(bytes[12..]));
        return new ClientAddress(BinaryPrimitives.ReadUInt64BigEndian(bytes), 0);
    }
}

public static class RateLimitSetup
{
    public const string PolicyHeader = "RateLimit-Policy";
    public const string StateHeader = "RateLimit";

    public static void AddRateLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>().Bind(builder.Configuration.GetSection(RateLimitOptions.Section))
            .Validate(options => !options.Problems().Any(), "RateLimits: every PermitLimit must be 1 or more and every Window a second or more.")
            .ValidateOnStart();
        builder.Services.AddSingleton<ContentRateLimiter>();
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<ContentRateLimiter>((options, limiter) =>
        {
            options.GlobalLimiter = limiter;
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, _) => RefuseAsync(context.HttpContext, context.Lease);
        });
    }

    /// <summary>Before the response store: its answers count too.</summary>
    public static void UseRateLimits(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<RateLimitOptions>>().Value.Enabled)
            app.UseRateLimiter();
    }

    /// <summary>
    /// 429 problem+json with Retry-After and the draft's RateLimit-Policy and RateLimit headers. Only refusals carry them:
    /// the remaining quota of an allowed request would cost the statistics of its partition on every request, and a
    /// stored answer must not carry one client's count to the next.
    /// </summary>
    private static ValueTask RefuseAsync(HttpContext context, RateLimitLease lease)
    {
        var limiter = context.RequestServices.GetRequiredService<ContentRateLimiter>();
        var refused = lease as RefusedLease;
        var policy = refused?.Policy ?? limiter.Anonymous;
        var seconds = (long)Math.Ceiling((refused?.RetryAfter ?? policy.Window).TotalSeconds);
        var headers = context.Response.Headers;
        headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        headers[PolicyHeader] = policy.Header;
        headers[StateHeader] = $"\"{policy.Name}\";r=0;t={seconds}";
        headers.CacheControl = "no-store";
        var window = (long)Math.Ceiling(policy.Window.TotalSeconds);
        var detail = policy == limiter.FailedAuthentication
            ? $"More than {policy.Quota} failed authentications in {window} seconds came from your address: requests with credentials are refused for {seconds} seconds. Check the API key or token you send."
            : $"More than {policy.Quota} requests in {window} seconds ({(policy == limiter.Authenticated ? "with this credential" : "from your address")}): wait {seconds} seconds (Retry-After) and send fewer requests.";
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = StatusCodes.Status429TooManyRequests, Title = "Too many requests", Detail = detail },
        });
    }
}

/// <summary>
/// A fixed-window limiter per key. Not <c>PartitionedRateLimiter.Create</c>: that takes one lock around its partition
/// dictionary on every request (with it the whole limiter cost a stored answer 3.5–8 % more CPU, with this 0.5 %;
/// bench/middleware-cost.sh); here finding a partition is a lock-free <see cref="ConcurrentDictionary{TKey,TValue}"/>
/// read. One timer replenishes all windows every second and
/// forgets partitions that have been full (idle) for a whole window, so a spray of addresses does not stay in memory.
/// </summary>
public sealed class FixedWindows<TKey> : IDisposable where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, FixedWindowRateLimiter> _partitions = new();
    private readonly FixedWindowRateLimiterOptions _options;
    private readonly Func<TKey, FixedWindowRateLimiter> _create;
    private readonly Timer _timer;

    public FixedWindows(RateLimitRule rule)
    {
        _options = new FixedWindowRateLimiterOptions { PermitLimit = rule.PermitLimit, Window = rule.Window, QueueLimit = 0, AutoReplenishment = false };
        _create = _ => new FixedWindowRateLimiter(_options);
        _timer = new Timer(_ => Replenish(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public RateLimitLease AttemptAcquire(TKey key, int permitCount = 1) => _partitions.GetOrAdd(key, _create).AttemptAcquire(permitCount);

    private void Replenish()
    {
        foreach (var (key, limiter) in _partitions)
        {
            limiter.TryReplenish();
            // A removed partition is not disposed: a request that found it a moment before may still use it (it has no
            // timer and no queue, so there is nothing to release).
            if (limiter.IdleDuration > _options.Window)
                _partitions.TryRemove(new KeyValuePair<TKey, FixedWindowRateLimiter>(key, limiter));
        }
    }

    public void Dispose() => _timer.Dispose();
}
