using System.Net;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;
using static ContentApi.Tests.Support.DeliverySupport;
using static ContentApi.Tests.Support.HeaderSupport;

namespace ContentApi.Tests.Hosting;

/// <summary>
/// CORS for front ends on listed origins (<c>Cors:AllowedOrigins</c>): preflights, reads from the store and made,
/// writes with a key, and a real browser on another loopback port. The permission is worked out per request, so an
/// answer stored for one origin never carries it to another.
/// </summary>
public class CorsTests : ApiTest
{
    private const string Site = "https://www.solvesborg.se";
    private const string Stranger = "https://evil.example";

    private static PageServer _page = null!;
    private static PageServer _strangerPage = null!;
    private static OwnApi _api = null!;

    [OneTimeSetUp]
    public static void Start()
    {
        _page = new PageServer();
        _strangerPage = new PageServer();
        _api = new OwnApi(new Dictionary<string, string?>
        {
            ["Cors:AllowedOrigins:0"] = Site,
            ["Cors:AllowedOrigins:1"] = _page.Origin,
            ["Cors:MaxAgeSeconds"] = "900",
            // Left to the default: off outside Development.
            ["OpenApi:Enabled"] = null,
        });
    }

    [OneTimeTearDown]
    public static async Task Stop()
    {
        await _api.DisposeAsync();
        _page.Dispose();
        _strangerPage.Dispose();
    }

    [SetUp]
    public void Forget() => _api.Forget();

    [Test]
    public async Task APreflightFromAListedOriginAllowsWritesWithCredentials()
    {
        using var response = await SendAsync(Preflight("/api/articles", Site, "PATCH", "x-api-key,if-match,content-type"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That(Header(response, "Access-Control-Allow-Origin"), Is.EqualTo(Site));
        Assert.That(Header(response, "Access-Control-Allow-Credentials"), Is.EqualTo("true"));
        Assert.That(Header(response, "Access-Control-Allow-Methods"), Does.Contain("PATCH").And.Contain("POST").And.Contain("DELETE"));
        Assert.That(List(response, "Access-Control-Allow-Headers"),
            Is.SupersetOf(new[] { "X-Api-Key", "Authorization", "If-Match", "If-None-Match", "Content-Type", "Prefer" }));
        Assert.That(Header(response, "Access-Control-Max-Age"), Is.EqualTo("900"));
        Assert.That(List(response, "Vary"), Does.Contain("Origin"));
    }

    [Test]
    public async Task APreflightFromAnOriginNotListedGetsNoPermission()
    {
        foreach (var origin in new[] { Stranger, "https://www.solvesborg.se.evil.example", "null", "http://www.solvesborg.se" })
        {
            using var response = await SendAsync(Preflight("/api/articles", origin, "GET", "x-api-key"));
            Assert.That(Header(response, "Access-Control-Allow-Origin"), Is.Null, origin);
            Assert.That(Header(response, "Access-Control-Allow-Methods"), Is.Null, origin);
        }
    }

    [Test]
    public async Task AnAnswerStoredForOneOriginCarriesNoPermissionToAnotherOrToARequestWithoutOrigin()
    {
        var article = Article("Hamnfest");
        await SaveAsync(article);
        foreach (var url in new[] { $"/api/articles/{article.Id}", "/odata/Articles?$select=title" })
        {
            using var first = await GetAsync(url, Site);
            Assert.That(first.CacheStatus(), Is.EqualTo(Stored), url);
            AssertAllowed(first, Site, url);

            using var stranger = await GetAsync(url, Stranger);
            Assert.That(stranger.CacheStatus(), Is.EqualTo(Hit), url);
            AssertRefused(stranger, url);

            using var plain = await GetAsync(url, null);
            Assert.That(plain.CacheStatus(), Is.EqualTo(Hit), url);
            AssertRefused(plain, url);
            Assert.That(List(plain, "Vary"), Does.Contain("Origin"), $"{url}: a cache in front keeps one answer per origin");

            using var again = await GetAsync(url, Site);
            Assert.That(again.CacheStatus(), Is.EqualTo(Hit), url);
            AssertAllowed(again, Site, url);

            // A revalidation from the front end is a 304 it may read.
            using var request = IfNoneMatch(url, first.Headers.ETag!);
            request.Headers.Add("Origin", Site);
            using var notModified = await _api.Client.SendAsync(request);
            Assert.That(notModified.StatusCode, Is.EqualTo(HttpStatusCode.NotModified), url);
            AssertAllowed(notModified, Site, url);
        }

        // And the other way round: stored for a stranger first, then asked for by the site.
        _api.Forget();
        using var strangerFirst = await GetAsync($"/api/articles/{article.Id}", Stranger);
        Assert.That(strangerFirst.CacheStatus(), Is.EqualTo(Stored));
        AssertRefused(strangerFirst, "stranger first");
        using var siteAfter = await GetAsync($"/api/articles/{article.Id}", Site);
        Assert.That(siteAfter.CacheStatus(), Is.EqualTo(Hit));
        AssertAllowed(siteAfter, Site, "site after");
    }

    [Test]
    public async Task AWriteWithAKeyFromAListedOriginAndItsErrorsCanBeReadThere()
    {
        using var editor = await TestAuth.KeyClientAsync(Roles.Editor, api: _api.Factory);
        editor.DefaultRequestHeaders.Add("Origin", Site);
        var (created, json) = await editor.SendJson(HttpMethod.Post, "/api/articles", new { title = "Från webbplatsen" });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), json?.ToJsonString());
        AssertAllowed(created, Site, "POST");
        Assert.That(List(created, "Access-Control-Expose-Headers"), Does.Contain("Location"));

        // Malformed JSON is answered by the exception handler, which clears the headers first.
        var (broken, problem) = await editor.SendJson(HttpMethod.Post, "/api/articles", "{\"title\": ");
        Assert.That(broken.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), problem?.ToJsonString());
        AssertAllowed(broken, Site, "malformed POST");
        Assert.That(broken.Headers.CacheControl?.NoStore, Is.True);

        editor.DefaultRequestHeaders.Remove("Origin");
        editor.DefaultRequestHeaders.Add("Origin", Stranger);
        var (strange, _) = await editor.SendJson(HttpMethod.Post, "/api/articles", new { title = "Från en främling" });
        Assert.That(strange.StatusCode, Is.EqualTo(HttpStatusCode.Created), "CORS is the browser's rule: the server still answers");
        AssertRefused(strange, "POST from a stranger");
    }

    [Test]
    public async Task ABrowserPageOnAListedOriginReadsTheApiAndOneOnAnotherOriginCannot()
    {
        var article = Article("Sillens dag");
        await SaveAsync(article);
        // A header beyond the safelisted ones: the browser sends a preflight first.
        var script = $$"""
            <!doctype html><html><body><pre id="result">pending</pre><script>
            fetch("{{new Uri(_api.Client.BaseAddress!, $"/api/articles/{article.Id}")}}", { headers: { "If-None-Match": "\"old\"" } })
              .then(response => response.json())
              .then(json => document.getElementById("result").textContent = "read:" + json.title)
              .catch(error => document.getElementById("result").textContent = "refused:" + error.name);
            </script></body></html>
            """;

        var allowed = await Chromium.DumpDomAsync(_page.Serve(script));
        Assert.That(allowed, Does.Contain("read:Sillens dag"));

        var refused = await Chromium.DumpDomAsync(_strangerPage.Serve(script));
        Assert.That(refused, Does.Contain("refused:TypeError"));
    }

    [Test]
    public async Task SwaggerAndTheOpenApiDocumentAreNotServedOutsideDevelopmentUnlessEnabled()
    {
        foreach (var url in new[] { "/swagger/index.html", "/swagger/v1/swagger.json", "/swagger" })
        {
            using var response = await _api.Client.GetAsync(url);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), url);
        }
    }

    private static Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => _api.Client.SendAsync(request);

    private static Task<HttpResponseMessage> GetAsync(string url, string? origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (origin is not null)
            request.Headers.Add("Origin", origin);
        return _api.Client.SendAsync(request);
    }
}
