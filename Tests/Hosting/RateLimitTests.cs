using System.Net;
using System.Text.Json.Nodes;
using ContentApi.Api.Auth;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;
using static ContentApi.Tests.Support.DeliverySupport;

namespace ContentApi.Tests.Hosting;

/// <summary>
/// Rate limits, each test on a host of its own with small allowances in an hour's window (so nothing replenishes while
/// it runs: the counts are exact, no timing is asserted). The tests connect from loopback, a trusted proxy by default,
/// so X-Forwarded-For makes another client.
/// </summary>
public class RateLimitTests : ApiTest
{
    private static ContentApiFactory Host(string rule, int permits) => Started(new ContentApiFactory(TestRun.ConnectionString, TestRun.PhotoFolder,
        settings: new Dictionary<string, string?>
        {
            [$"RateLimits:{rule}:PermitLimit"] = permits.ToString(),
            [$"RateLimits:{rule}:Window"] = "01:00:00",
        }));

    private static ContentApiFactory Started(ContentApiFactory host)
    {
        host.UseKestrel(0);
        host.StartServer();
        return host;
    }

    private static async Task<string> KeyAsync(string name)
    {
        var (key, secret) = ApiKeys.Create(name, Roles.Editor, DateTimeOffset.UtcNow);
        await using var db = TestRun.Factory.CreateDbContext();
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync();
        return secret;
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string url, string? key = null, string? forwardedFor = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (key is not null)
            request.Headers.Add(ApiKeyAuthenticationHandler.Header, key);
        if (forwardedFor is not null)
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        return await client.SendAsync(request);
    }

    /// <summary>The 429: problem+json, not stored, Retry-After and the draft's headers for the policy that refused.</summary>
    private static async Task AssertRefusedAsync(HttpResponseMessage response, string policy, int quota)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var problem = JsonNode.Parse(body)!;
        Assert.That((int?)problem["status"], Is.EqualTo(429));
        Assert.That((string?)problem["detail"], Does.Contain(quota.ToString()));
        var retryAfter = response.Headers.RetryAfter?.Delta?.TotalSeconds;
        Assert.That(retryAfter, Is.GreaterThan(0).And.LessThanOrEqualTo(3600));
        Assert.That(response.Headers.GetValues("RateLimit-Policy").Single(), Is.EqualTo($"\"{policy}\";q={quota};w=3600"));
        Assert.That(response.Headers.GetValues("RateLimit").Single(), Is.EqualTo($"\"{policy}\";r=0;t={retryAfter}"));
        Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
    }

    [Test]
    public async Task AnonymousReadsAreLimitedPerClientAddressAndAnswersFromTheStoreCount()
    {
        var article = Article("Begränsad");
        await SaveAsync(article);
        await using var host = Host("Anonymous", 3);
        using var client = host.CreateClient();
        var url = $"/api/articles/{article.Id}";

        for (var i = 0; i < 3; i++)
        {
            using var allowed = await GetAsync(client, url);
            Assert.That(allowed.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"request {i + 1}");
            Assert.That(allowed.Headers.Contains("RateLimit"), Is.False, "allowed answers (stored ones too) carry no client's count");
            if (i > 0)
                Assert.That(allowed.CacheStatus(), Is.EqualTo(Hit), "answered from the store, and counted");
        }
        using (var refused = await GetAsync(client, url))
            await AssertRefusedAsync(refused, "anonymous", 3);
        using (var refusedMiss = await GetAsync(client, "/api/articles?pageSize=1"))
            await AssertRefusedAsync(refusedMiss, "anonymous", 3);

        using var otherClient = await GetAsync(client, url, forwardedFor: "203.0.113.7");
        Assert.That(otherClient.StatusCode, Is.EqualTo(HttpStatusCode.OK), "another address has its own allowance");
        using var withKey = await GetAsync(client, url, key: await KeyAsync("reader"));
        Assert.That(withKey.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a key is limited by key, not by address");
    }

    [Test]
    public async Task EachCredentialHasItsOwnAllowance()
    {
        await using var host = Host("Authenticated", 2);
        using var client = host.CreateClient();
        var (first, second) = (await KeyAsync("first"), await KeyAsync("second"));
        const string url = "/api/articles?pageSize=1";

        for (var i = 0; i < 2; i++)
            using (var allowed = await GetAsync(client, url, key: first))
                Assert.That(allowed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using (var refused = await GetAsync(client, url, key: first))
            await AssertRefusedAsync(refused, "key", 2);
        using (var refusedElsewhere = await GetAsync(client, url, key: first, forwardedFor: "198.51.100.4"))
            await AssertRefusedAsync(refusedElsewhere, "key", 2);

        using var secondKey = await GetAsync(client, url, key: second);
        Assert.That(secondKey.StatusCode, Is.EqualTo(HttpStatusCode.OK), "another key has its own allowance");
        using var anonymous = await GetAsync(client, url);
        Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.OK), "anonymous readers from the same address are apart");
    }

    /// <summary>
    /// Made-up keys do not each get an allowance of their own: a request that never reaches authentication (a malformed
    /// header answered 415 first) never counts as a failure, so an address's requests with credentials, whatever they
    /// are, are bounded too (four keys' worth); and a bearer token sent with a made-up key is counted as the token.
    /// </summary>
    [Test]
    public async Task MadeUpKeysFromOneAddressShareABound()
    {
        await using var host = Host("Authenticated", 2);
        using var client = host.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/contacts")
            {
                Content = new StringContent("{}", System.Text.Encoding.UTF8),
            };
            request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("application/json; charset=bogus");
            request.Headers.Add(ApiKeyAuthenticationHandler.Header, ApiKeys.Generate());
            using var response = await client.SendAsync(request);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
                await AssertRefusedAsync(response, "credentials-per-address", 2 * ContentApi.Api.Hosting.ContentRateLimiter.CredentialedPerAddress);
        }
        Assert.That(statuses.Take(8), Has.None.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(statuses.Skip(8), Has.All.EqualTo(HttpStatusCode.TooManyRequests));
    }

    [Test]
    public async Task AfterTooManyFailedAuthenticationsAnAddressesCredentialsAreRefusedWithoutTheDatabase()
    {
        await using var host = Host("FailedAuthentication", 3);
        using var client = host.CreateClient();
        var valid = await KeyAsync("valid");
        const string url = "/api/articles?pageSize=1";

        for (var i = 0; i < 3; i++)
            using (var failed = await GetAsync(client, url, key: ApiKeys.Generate()))
                Assert.That(failed.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "a well-formed unknown key is looked up and refused");

        host.Sql.Reset();
        using (var locked = await GetAsync(client, url, key: valid))
            await AssertRefusedAsync(locked, "failed-auth", 3);
        using (var lockedBadKey = await GetAsync(client, url, key: ApiKeys.Generate()))
            await AssertRefusedAsync(lockedBadKey, "failed-auth", 3);
        Assert.That(host.Sql.Count, Is.Zero, "refused before authentication looks the keys up");

        using var anonymous = await GetAsync(client, url);
        Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.OK), "reads without credentials go on");
        using var elsewhere = await GetAsync(client, url, key: valid, forwardedFor: "198.51.100.9");
        Assert.That(elsewhere.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the key works from another address");

        using var noCredentials = new HttpRequestMessage(HttpMethod.Post, "/api/contacts");
        noCredentials.Headers.Add("X-Forwarded-For", "198.51.100.10");
        for (var i = 0; i < 5; i++)
            Assert.That((await client.SendAsync(Clone(noCredentials))).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        using var afterAnonymous401s = await GetAsync(client, url, key: valid, forwardedFor: "198.51.100.10");
        Assert.That(afterAnonymous401s.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a 401 without credentials is not a failed authentication");
    }

    private static HttpRequestMessage Clone(HttpRequestMessage request)
    {
        var copy = new HttpRequestMessage(request.Method, request.RequestUri);
        foreach (var header in request.Headers)
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        return copy;
    }

    [Test]
    public async Task RateLimitsCanBeTurnedOff()
    {
        await using var host = Started(new ContentApiFactory(TestRun.ConnectionString, TestRun.PhotoFolder, settings: new Dictionary<string, string?>
        {
            ["RateLimits:Enabled"] = "false",
            ["RateLimits:Anonymous:PermitLimit"] = "1",
        }));
        using var client = host.CreateClient();
        for (var i = 0; i < 3; i++)
            using (var response = await GetAsync(client, "/api/articles?pageSize=1"))
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public void AnAllowanceOfNothingIsRefusedAtStartup() =>
        Assert.That(ContentApiFactory.StartupError("RateLimits:Anonymous:PermitLimit", "0"), Does.Contain("PermitLimit"));
}
