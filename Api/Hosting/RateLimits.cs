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
    private readonly FixedWindows<ClientAddress> _credentialed;

    /// <summary>
    /// Requests with credentials from one address, whatever the credentials: a bound on what made-up keys can get (each
    /// would otherwise have a fresh allowance of its own until it fails, and one that never reaches authentication, a
    /// malformed header say, never fails), and on the partitions they make. Some keys' worth, for the people and
    /// services behind one address.
    /// </summary>
    public const int CredentialedPerAddress = 4;

    public ContentRateLimiter(IOptions<RateLimitOptions> options)
    {
        var value = options.Value;
        Anonymous = new RateLimitPolicy("anonymous", value.Anonymous);
        Authenticated = new RateLimitPolicy("key", value.Authenticated);
        FailedAuthentication = new RateLimitPolicy("failed-auth", value.FailedAuthentication);
        _anonymous = new FixedWindows<ClientAddress>(value.Anonymous);
        _keys = new FixedWindows<string>(value.Authenticated);
        _failures = new FixedWindows<ClientAddress>(value.FailedAuthentication);
        var credentialed = new RateLimitRule { PermitLimit = (int)Math.Min(int.MaxValue, (long)value.Authenticated.PermitLimit * CredentialedPerAddress), Window = value.Authenticated.Window };
        Credentialed = new RateLimitPolicy("credentials-per-address", credentialed);
        _credentialed = new FixedWindows<ClientAddress>(credentialed);
    }

    public RateLimitPolicy Anonymous { get; }
    public RateLimitPolicy Authenticated { get; }
    public RateLimitPolicy FailedAuthentication { get; }
    public RateLimitPolicy Credentialed { get; }

    protected override RateLimitLease AttemptAcquireCore(HttpContext context, int permitCount)
    {
        var request = context.Request;
        var client = ClientAddress.Of(context.Connection.RemoteIpAddress);
        if (!Caller.HasCredentials(request))
            return _anonymous.Take(client, Anonymous);
        if (_failures.Exhausted(client) is { } wait)
            return new RefusedLease(FailedAuthentication, wait);
        var address = _credentialed.Take(client, Credentialed);
        return address.IsAcquired ? _keys.Take(CredentialKey(request), Authenticated) : address;
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext context, int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(context, permitCount));

    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => null;

    /// <summary>Counts a failed authentication of a request with credentials against its client address.</summary>
    public void RecordFailure(HttpContext context) =>
        _failures.Take(ClientAddress.Of(context.Connection.RemoteIpAddress), FailedAuthentication);

    /// <summary>
    /// The partition of a credential: a hash of the X-Api-Key or Authorization header, so the limiter keeps no secret
    /// and needs no database. An unknown credential gets a partition of its own until it fails; failures are limited per
    /// address (<see cref="RecordFailure"/>).
    /// </summary>
    private static string CredentialKey(HttpRequest request)
    {
        // The credential authentication will use (AuthSetup: a bearer token first), so one cannot be paired with made-up keys.
        var authorization = request.Headers.Authorization.ToString();
        var credential = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || !request.Headers.TryGetValue(ApiKeyAuthenticationHandler.Header, out var key)
            ? authorization
            : key.ToString();
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
            _credentialed.Dispose();
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

    /// <summary>The address as the audit log names it: IPv4 as it is, IPv6 by its /64 (as the limits count it).</summary>
    public static string? Describe(IPAddress? address)
    {
        if (address is null)
            return null;
        if (address.AddressFamily == AddressFamily.InterNetwork)
            return address.ToString();
        if (address.IsIPv4MappedToIPv6)
            return address.MapToIPv4().ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
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
/// A fixed window per key (a client address, a credential), without a lock: a partition is found with a lock-free
/// <see cref="ConcurrentDictionary{TKey,TValue}"/> read and takes a permit with one interlocked decrement. (Built on
/// <c>PartitionedRateLimiter.Create</c>, which locks its partition dictionary and then each FixedWindowRateLimiter on
/// every request, the limiter cost a stored answer 3.5–8 % more CPU; bench/middleware-cost.sh.) One timer a second
/// starts the windows that have run out and forgets partitions nobody used in a whole window, so a spray of addresses
/// does not stay in memory. Windows start when a partition is first used, as FixedWindowRateLimiter's do.
/// </summary>
public sealed class FixedWindows<TKey> : IDisposable where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Window> _partitions = new();
    private readonly int _limit;
    private readonly long _windowMs;
    private readonly Func<TKey, Window> _create;
    private readonly Timer _timer;

    public FixedWindows(RateLimitRule rule)
    {
        _limit = rule.PermitLimit;
        _windowMs = (long)rule.Window.TotalMilliseconds;
        _create = _ => new Window(_limit, Environment.TickCount64);
        _timer = new Timer(_ => Renew(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>Takes a permit: the granted lease, or a refusal that says when the window ends.</summary>
    public RateLimitLease Take(TKey key, RateLimitPolicy policy)
    {
        var window = _partitions.GetOrAdd(key, _create);
        return window.TryTake() ? GrantedLease.Instance : new RefusedLease(policy, Remaining(window));
    }

    /// <summary>When the key has no permit left, how long until its window ends; else null. Takes nothing.</summary>
    public TimeSpan? Exhausted(TKey key) =>
        _partitions.TryGetValue(key, out var window) && !window.HasLeft ? Remaining(window) : null;

    private TimeSpan Remaining(Window window) =>
        TimeSpan.FromMilliseconds(Math.Clamp(window.Start + _windowMs - Environment.TickCount64, 1, _windowMs));

    private void Renew()
    {
        var now = Environment.TickCount64;
        foreach (var (key, window) in _partitions)
            if (now - window.Start >= _windowMs && window.Renew(now, _limit))
                _partitions.TryRemove(new KeyValuePair<TKey, Window>(key, window));
    }

    public void Dispose() => _timer.Dispose();

    private sealed class Window(int limit, long start)
    {
        private int _left = limit;
        private long _start = start;

        public long Start => Volatile.Read(ref _start);
        public bool HasLeft => Volatile.Read(ref _left) > 0;

        public bool TryTake()
        {
            var left = Interlocked.Decrement(ref _left);
            if (left >= 0)
                return true;
            // Refusals keep decrementing; keep the count far from overflowing.
            if (left < -1_000_000)
                Interlocked.Exchange(ref _left, 0);
            return false;
        }

        /// <summary>Starts a new window; whether the one that ended went unused (the partition can be forgotten).</summary>
        public bool Renew(long now, int limit)
        {
            var unused = Interlocked.Exchange(ref _left, limit) == limit;
            Volatile.Write(ref _start, now);
            return unused;
        }
    }
}

/// <summary>The one lease of every allowed request: nothing to release.</summary>
public sealed class GrantedLease : RateLimitLease
{
    public static readonly GrantedLease Instance = new();
    public override bool IsAcquired => true;
    public override IEnumerable<string> MetadataNames => [];
    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        metadata = null;
        return false;
    }
}
