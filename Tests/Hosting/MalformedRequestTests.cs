using System.Net;
using System.Text.Json.Nodes;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Hosting;

/// <summary>
/// The requests a hostile test run found answered with a 500 (issue 14): each is now the 4xx problem that says what to
/// fix.
/// </summary>
public class MalformedRequestTests : ApiTest
{
    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string what)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), $"{what}: {body}");
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), what);
        Assert.That((string?)JsonNode.Parse(body)!["detail"], Is.Not.Null.And.Not.Empty, what);
    }

    /// <summary>Before: 500 (OData's routing threw on the alias no query defines).</summary>
    [TestCase("/odata/Articles(@x)")]
    [TestCase("/odata/Pledges(@x)")]
    [TestCase("/odata/Photos(@x)")]
    [TestCase("/odata/Contacts(@x)")]
    [TestCase("/odata/Contacts(@x)/articles")]
    [TestCase("/odata/Pledges(@x)/articles")]
    [TestCase("/odata/Articles(@x)?@y=1")]
    public async Task AParameterAliasInAKeyThatTheQueryDoesNotDefineIsA400(string url)
    {
        using var response = await Client.GetAsync(url);
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, url);
    }

    [Test]
    public async Task AParameterAliasInAKeyThatTheQueryDefinesIsRead()
    {
        var article = Article("Med alias");
        await SaveAsync(article);
        var answer = await GetJson($"/odata/Articles(@x)?@x={article.Id}");
        Assert.That((string?)answer["title"], Is.EqualTo("Med alias"));
    }

    /// <summary>Before: 500 on every OData answer (OData parses the header while it writes); REST ignores Prefer.</summary>
    [TestCase("a>b")]
    [TestCase(",,,")]
    [TestCase("=")]
    [TestCase("return=")]
    [TestCase("a=\"b")]
    [TestCase("a;b=")]
    [TestCase("odata.include-annotations=<")]
    public async Task AMalformedPreferHeaderIsA400OnODataAndIgnoredByRest(string prefer)
    {
        var article = Article("Nyhet");
        await SaveAsync(article);
        foreach (var url in new[] { "/odata/Articles", "/odata/Articles/$count", $"/odata/Articles({article.Id})", "/odata/$metadata", "/odata" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("Prefer", prefer);
            using var response = await Client.SendAsync(request);
            await AssertProblemAsync(response, HttpStatusCode.BadRequest, $"{url} with Prefer: {prefer}");
        }
        foreach (var url in new[] { "/api/articles", $"/api/articles/{article.Id}" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("Prefer", prefer);
            using var response = await Client.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{url} with Prefer: {prefer}");
        }
    }

    [Test]
    public async Task AWellFormedPreferHeaderStillWorks()
    {
        await SaveAsync(Article("En"), Article("Två", minutesAfterBase: 1));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/odata/Articles");
        request.Headers.TryAddWithoutValidation("Prefer", "odata.maxpagesize=1, return=minimal");
        using var response = await Client.SendAsync(request);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.That(answer["value"]!.AsArray(), Has.Count.EqualTo(1));
    }

    /// <summary>Before: 500 on every JSON write (ASP.NET Core's binding throws on a charset it does not know).</summary>
    [TestCase("application/json; charset=bogus")]
    [TestCase("application/merge-patch+json; charset=bogus")]
    [TestCase("application/json; charset=x-no-such-encoding")]
    public async Task ABodyInACharsetNoOneKnowsIsA415(string contentType)
    {
        var admin = await TestAuth.KeyClientAsync(Roles.Admin);
        var article = Article("Finns", ContentStatus.Draft);
        var contact = Contact();
        await SaveAsync(article, contact);
        var writes = new (HttpMethod Method, string Url, string Body)[]
        {
            (HttpMethod.Post, "/api/articles", """{"title":"Ny"}"""),
            (HttpMethod.Put, $"/api/articles/{article.Id}", """{"title":"Ny"}"""),
            (HttpMethod.Patch, $"/api/articles/{article.Id}", """{"title":"Ny"}"""),
            (HttpMethod.Post, "/api/contacts", """{"name":"Ny"}"""),
            (HttpMethod.Patch, $"/api/contacts/{contact.Id}", """{"name":"Ny"}"""),
            (HttpMethod.Post, "/api/pledges", """{"year":2031}"""),
            (HttpMethod.Post, "/api/admin/api-keys", """{"name":"x","role":"editor"}"""),
        };
        foreach (var (method, url, body) in writes)
        {
            using var request = new HttpRequestMessage(method, url) { Content = new StringContent(body) };
            request.Content.Headers.Remove("Content-Type");
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
            using var response = await admin.SendAsync(request);
            await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, $"{method} {url} as {contentType}");
        }
    }

    /// <summary>Before: 500 (valid HTTP, but ASP.NET Core's JSON binding does not unquote the charset).</summary>
    [Test]
    public async Task AQuotedCharsetIsRead()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/contacts") { Content = new StringContent("""{"name":"Åsa Öberg"}""") };
        request.Content.Headers.Remove("Content-Type");
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=\"utf-8\"");
        using var response = await editor.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), body);
        Assert.That((string?)JsonNode.Parse(body)!["name"], Is.EqualTo("Åsa Öberg"));
    }

    /// <summary>Before: 500 for a lone surrogate in a property name (met while duplicates were looked for).</summary>
    [TestCase("""{"\ud800x":1}""")]
    [TestCase("""{"\udfff":"a"}""")]
    [TestCase("""{"title":"\ud800"}""")]
    [TestCase("""{"tags":["\udc00"]}""")]
    public async Task ALoneSurrogateInAMergePatchIsA400(string patch)
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var article = Article("Finns", ContentStatus.Draft);
        var pledge = Pledge(2030, ContentStatus.Draft);
        var contact = Contact();
        var photo = Photo();
        await SaveAsync(article, pledge, contact, photo);
        foreach (var url in new[] { $"/api/articles/{article.Id}", $"/api/pledges/{pledge.Id}", $"/api/contacts/{contact.Id}", $"/api/photos/{photo.Id}" })
        {
            var (response, _) = await editor.SendJson(HttpMethod.Patch, url, patch, ifMatch: "\"1\"", mediaType: "application/merge-patch+json");
            await AssertProblemAsync(response, HttpStatusCode.BadRequest, $"PATCH {url} {patch}");
        }
    }

    /// <summary>Before: one 204 and three 500s (each erasure read the contact, and all but one found it gone when saving).</summary>
    [Test]
    public async Task SimultaneousErasuresOfOneContactGiveOne204AndThe404sOfAContactNoLongerThere()
    {
        var admin = await TestAuth.KeyClientAsync(Roles.Admin);
        for (var round = 0; round < 5; round++)
        {
            var contact = Contact($"Person {round}");
            var article = Article($"Artikel {round}");
            article.Contacts = [contact];
            await SaveAsync(contact, article);
            var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
                admin.SendJson(HttpMethod.Post, $"/api/admin/contacts/{contact.Id}/erase")));
            Assert.That(answers.Count(a => a.Response.StatusCode == HttpStatusCode.NoContent), Is.EqualTo(1), $"round {round}");
            foreach (var (response, _) in answers.Where(a => a.Response.StatusCode != HttpStatusCode.NoContent))
                await AssertProblemAsync(response, HttpStatusCode.NotFound, $"round {round}");
            var read = await GetJson(admin, $"/api/articles/{article.Id}");
            Assert.That(read["contacts"]!.AsArray(), Is.Empty, $"round {round}: the erased person is gone from the article");
        }
    }
}
