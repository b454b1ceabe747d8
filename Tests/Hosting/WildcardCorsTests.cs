using System.Net;
using ContentApi.Api.Hosting;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using Microsoft.Extensions.Options;
using static ContentApi.Tests.Support.ContentBuilder;
using static ContentApi.Tests.Support.DeliverySupport;
using static ContentApi.Tests.Support.HeaderSupport;

namespace ContentApi.Tests.Hosting;

/// <summary><c>Cors:AllowedOrigins</c> with <c>*</c>: every origin may read anonymously; only the listed ones may do more.</summary>
public class WildcardCorsTests : ApiTest
{
    private const string Site = "https://www.solvesborg.se";
    private const string Anyone = "https://someone.example";

    private static OwnApi _api = null!;

    [OneTimeSetUp]
    public static void Start() => _api = new OwnApi(new Dictionary<string, string?>
    {
        ["Cors:AllowedOrigins:0"] = "*",
        ["Cors:AllowedOrigins:1"] = Site + "/",
    });

    [OneTimeTearDown]
    public static async Task Stop()
    {
        await _api.DisposeAsync();
    }

    [SetUp]
    public void Forget() => _api.Forget();

    [Test]
    public async Task AnyOriginMayReadAnonymouslyWithoutCredentialsAndAListedOneKeepsItsOwn()
    {
        var article = Article("Öppet för alla");
        await SaveAsync(article);
        foreach (var (origin, status) in new[] { (Anyone, Stored), (Site, Hit), (Anyone, Hit) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/odata/Articles({article.Id})");
            request.Headers.Add("Origin", origin);
            using var response = await _api.Client.SendAsync(request);
            Assert.That(response.CacheStatus(), Is.EqualTo(status), origin);
            if (origin == Site)
                AssertAllowed(response, Site, origin);
            else
            {
                Assert.That(Header(response, "Access-Control-Allow-Origin"), Is.EqualTo("*"));
                Assert.That(Header(response, "Access-Control-Allow-Credentials"), Is.Null);
                Assert.That(List(response, "Access-Control-Expose-Headers"), Does.Contain("ETag"));
            }
        }

        using var preflight = await _api.Client.SendAsync(Preflight("/api/articles", Anyone, "GET", "if-none-match"));
        Assert.That(Header(preflight, "Access-Control-Allow-Origin"), Is.EqualTo("*"));
        Assert.That(Header(preflight, "Access-Control-Allow-Credentials"), Is.Null);
        Assert.That(List(preflight, "Access-Control-Allow-Headers"), Does.Contain("If-None-Match"));
    }

    [Test]
    public async Task AnyOriginMayNotWriteNorSendAKeyOrToken()
    {
        using var preflight = await _api.Client.SendAsync(Preflight("/api/articles", Anyone, "POST", "x-api-key,content-type"));
        Assert.That(List(preflight, "Access-Control-Allow-Methods"), Is.EquivalentTo(new[] { "GET", "HEAD" }));
        Assert.That(List(preflight, "Access-Control-Allow-Headers"),
            Has.None.EqualTo("X-Api-Key").And.None.EqualTo("Authorization").And.None.EqualTo("Content-Type"));

        using var editor = await TestAuth.KeyClientAsync(Roles.Editor, api: _api.Factory);
        editor.DefaultRequestHeaders.Add("Origin", Anyone);
        var (created, _) = await editor.SendJson(HttpMethod.Post, "/api/articles", new { title = "Utan lov" });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        AssertRefused(created, "a write");
        using var preview = await editor.GetAsync("/api/articles");
        Assert.That(preview.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        AssertRefused(preview, "a read with a key");
    }

    [Test]
    public void AnAllowedOriginThatIsNotAnOriginStopsTheStart()
    {
        foreach (var origin in new[] { "https://www.solvesborg.se/nyheter", "www.solvesborg.se", "ftp://files.example" })
        {
            var options = Options.Create(new CorsOptions { AllowedOrigins = [origin] });
            Assert.That(() => new Cors(options), Throws.TypeOf<OptionsValidationException>().With.Message.Contains(origin));
        }
    }
}
