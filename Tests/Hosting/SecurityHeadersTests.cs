using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;
using static ContentApi.Tests.Support.DeliverySupport;
using static ContentApi.Tests.Support.HeaderSupport;

namespace ContentApi.Tests.Hosting;

/// <summary>
/// nosniff on every answer, no-store on every error whoever writes it, Swagger UI under a strict policy (and still
/// working), and no CORS at all unless origins are configured.
/// </summary>
public class SecurityHeadersTests : ApiTest
{
    [Test]
    public async Task EveryAnswerForbidsSniffingItsType()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        using var upload = await editor.PostAsync("/api/photos", PhotoUploads.Form(TestImages.Jpeg(400, 300)));
        var photo = JsonNode.Parse(await upload.Content.ReadAsStringAsync())!;
        var article = Article("Ingen gissning");
        article.HeroPhotoId = Guid.Parse((string)photo["id"]!);
        await SaveAsync(article);

        var answers = new List<(string What, HttpResponseMessage Response)>();
        foreach (var url in new[] { $"/api/articles/{article.Id}", "/odata/Articles", (string)photo["url"]!, (string)photo["renditions"]![0]!["url"]! })
        {
            answers.Add(($"{url} made", await Client.GetAsync(url)));
            var stored = await Client.GetAsync(url);
            answers.Add(($"{url} from the store ({stored.CacheStatus()})", stored));
            answers.Add(($"{url} 304", await Client.SendAsync(IfNoneMatch(url, stored.Headers.ETag!))));
        }
        answers.Add(("problem", await Client.GetAsync($"/api/articles/{Guid.NewGuid()}")));
        answers.Add(("editor's preview", await editor.GetAsync($"/api/articles/{article.Id}")));
        answers.Add(("health", await Client.GetAsync("/health/ready")));
        answers.Add(("swagger", await Client.GetAsync("/swagger/v1/swagger.json")));
        Assert.That(answers.Where(a => a.What.EndsWith("304")).Select(a => a.Response.StatusCode), Has.All.EqualTo(HttpStatusCode.NotModified));
        foreach (var (what, response) in answers)
        {
            Assert.That(Header(response, "X-Content-Type-Options"), Is.EqualTo("nosniff"), what);
            response.Dispose();
        }
    }

    [Test]
    public async Task EveryErrorIsNoStoreWhoeverAnswersIt()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var contact = Contact();
        await SaveAsync(contact, Article("Upptagen"));
        using var wrongKey = new HttpClient { BaseAddress = Client.BaseAddress };
        wrongKey.DefaultRequestHeaders.Add("X-Api-Key", "not-a-key");

        var errors = new List<(HttpStatusCode Expected, string What, Func<Task<HttpResponseMessage>> Send)>
        {
            (HttpStatusCode.BadRequest, "malformed JSON (exception handler)", () => Send(editor, HttpMethod.Post, "/api/articles", "{\"title\": ")),
            (HttpStatusCode.BadRequest, "bad OData query", () => Client.GetAsync("/odata/Articles?$filter=nonsense eq 1")),
            (HttpStatusCode.Unauthorized, "write without credentials (challenge)", () => Send(Client, HttpMethod.Post, "/api/articles", "{}")),
            (HttpStatusCode.Unauthorized, "read with a wrong key", () => wrongKey.GetAsync("/api/articles")),
            (HttpStatusCode.Forbidden, "editor on an admin route", () => editor.GetAsync("/api/admin/api-keys")),
            (HttpStatusCode.NotFound, "unknown route (status code pages)", () => Client.GetAsync("/nothing/here")),
            (HttpStatusCode.NotFound, "unknown article", () => Client.GetAsync($"/api/articles/{Guid.NewGuid()}")),
            (HttpStatusCode.MethodNotAllowed, "wrong method", () => Send(Client, HttpMethod.Put, "/api/articles", "{}")),
            (HttpStatusCode.MethodNotAllowed, "a preflight with no CORS configured", () => Client.SendAsync(Preflight("/api/articles", "https://www.solvesborg.se", "GET", "x-api-key"))),
            (HttpStatusCode.Conflict, "duplicate slug", () => Send(editor, HttpMethod.Post, "/api/articles", """{"title":"Annan","slug":"upptagen"}""")),
            (HttpStatusCode.PreconditionFailed, "stale If-Match", () => Send(editor, HttpMethod.Put, $"/api/contacts/{contact.Id}", """{"name":"Ny"}""", "\"9\"")),
            ((HttpStatusCode)428, "no If-Match", () => Send(editor, HttpMethod.Put, $"/api/contacts/{contact.Id}", """{"name":"Ny"}""")),
            (HttpStatusCode.UnsupportedMediaType, "text body", () => Send(editor, HttpMethod.Post, "/api/articles", "title", mediaType: "text/plain")),
        };
        foreach (var (expected, what, send) in errors)
        {
            using var response = await send();
            var body = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(expected), $"{what}: {body}");
            Assert.That(response.Headers.CacheControl?.NoStore, Is.True, $"{what}: Cache-Control {response.Headers.CacheControl}");
            Assert.That(Header(response, "X-Content-Type-Options"), Is.EqualTo("nosniff"), what);
            Assert.That(Header(response, "Access-Control-Allow-Origin"), Is.Null, $"{what}: no CORS unless configured");
        }
    }

    [Test]
    public async Task SwaggerUiIsServedUnderAStrictPolicyAndStillRenders()
    {
        using var response = await Client.GetAsync("/swagger/index.html");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var policy = Header(response, "Content-Security-Policy")!;
        Assert.That(policy, Does.Contain("default-src 'none'").And.Contain("script-src 'self';").And.Contain("frame-ancestors 'none'"));
        Assert.That(policy, Does.Not.Contain("unsafe-eval"));
        Assert.That(Header(response, "X-Frame-Options"), Is.EqualTo("DENY"));
        Assert.That(Header(response, "Referrer-Policy"), Is.EqualTo("no-referrer"));

        // In a browser that enforces the policy, Swagger UI loads its scripts and the document and lists the operations.
        var dom = await Chromium.DumpDomAsync(new Uri(Client.BaseAddress!, "/swagger/index.html").ToString());
        Assert.That(dom, Does.Contain("opblock").And.Contain("/api/articles/{id}"), "Swagger UI rendered the operations");
    }

    private static Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string url, string body, string? ifMatch = null,
        string mediaType = "application/json")
    {
        var request = new HttpRequestMessage(method, url) { Content = new StringContent(body, Encoding.UTF8, mediaType) };
        if (ifMatch is not null)
            request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(ifMatch));
        return client.SendAsync(request);
    }
}
