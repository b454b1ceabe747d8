using System.Net;
using System.Text.Json.Nodes;
using ContentApi.Api.Caching;
using ContentApi.Api.OData;
using ContentApi.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static ContentApi.Tests.Support.ContentBuilder;
using static ContentApi.Tests.Support.DeliverySupport;

namespace ContentApi.Tests.Hosting;

/// <summary>
/// Behind a proxy (PublicBaseUrl set), every absolute link is built from the public address, and a forged Host header
/// changes nothing: not a byte of the answer, and not what the response store holds.
/// </summary>
public class PublicAddressTests : ApiTest
{
    private const string PublicBase = "https://api.solvesborg.se/innehall/";

    [Test]
    public async Task AForgedHostChangesNoByteOfAnyAnswerAndStoresNoOtherCopy()
    {
        var (contact, article) = await ContactWithAPageAndMoreOfArticlesAsync();
        await using var server = PublicServer();
        using var client = server.CreateClient();
        var store = server.Services.GetRequiredService<ResponseStore>();

        string[] urls =
        [
            "/odata/Articles?$top=2", "/odata/Articles?$top=2&$count=true", $"/odata/Contacts({contact})?$expand=articles($select=title)",
            "/odata/$metadata", "/api/articles?pageSize=2", $"/api/articles/{article}", $"/api/contacts/{contact}",
        ];
        foreach (var url in urls)
        {
            var (plain, plainBody) = await GetAsync(client, url);
            Assert.That(plain.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{url}: {plainBody}");
            var held = store.Count;
            var (forged, forgedBody) = await GetAsync(client, url, forgeHost: true);
            Assert.That(forged.StatusCode, Is.EqualTo(HttpStatusCode.OK), url);
            Assert.That(forgedBody, Is.EqualTo(plainBody), $"{url}: the forged Host changed the answer");
            Assert.That(forgedBody, Does.Not.Contain("evil.example"), url);
            Assert.That(forged.Headers.ETag, Is.EqualTo(plain.Headers.ETag), url);
            Assert.That(forged.CacheStatus(), Is.EqualTo(Hit), $"{url}: the forged Host is answered from the one stored answer");
            Assert.That(store.Count, Is.EqualTo(held), $"{url}: no other copy is stored");
        }
    }

    [Test]
    public async Task EveryAbsoluteLinkIsBuiltFromThePublicAddress()
    {
        var (contact, _) = await ContactWithAPageAndMoreOfArticlesAsync();
        await using var server = PublicServer();
        using var client = server.CreateClient();

        // Expanding a list makes pages of 20: the 21 articles need a next link.
        var (_, listBody) = await GetAsync(client, "/odata/Articles?$expand=contacts&$select=title", forgeHost: true);
        var list = JsonNode.Parse(listBody)!;
        Assert.That((string?)list["@odata.context"], Does.StartWith(PublicBase + "odata/$metadata#Articles"));
        Assert.That((string?)list["@odata.nextLink"], Does.StartWith(PublicBase + "odata/Articles?"));

        var (_, expandedBody) = await GetAsync(client, $"/odata/Contacts({contact})?$expand=articles($select=title)", forgeHost: true);
        var expanded = JsonNode.Parse(expandedBody)!;
        Assert.That((string?)expanded["@odata.context"], Does.StartWith(PublicBase + "odata/$metadata#Contacts"));
        Assert.That((string?)expanded["articles@odata.nextLink"], Does.StartWith(PublicBase + "odata/"), "the nested next link too");

        // REST's links are relative; they carry the path base.
        var (_, pageBody) = await GetAsync(client, "/api/articles?pageSize=2", forgeHost: true);
        Assert.That((string?)JsonNode.Parse(pageBody)!["nextPage"], Does.StartWith("/innehall/api/articles?"));
    }

    [Test]
    public async Task TheProxyMayForwardThePathBaseOrTakeItOffAndTheAnswerIsTheSame()
    {
        await ContactWithAPageAndMoreOfArticlesAsync();
        await using var server = PublicServer();
        using var client = server.CreateClient();
        var (_, without) = await GetAsync(client, "/odata/Articles?$top=2");
        var (with, withBody) = await GetAsync(client, "/innehall/odata/Articles?$top=2");
        Assert.That(withBody, Is.EqualTo(without));
        Assert.That(with.CacheStatus(), Is.EqualTo(Hit), "one stored answer for both addresses");
    }

    [Test]
    public async Task WithoutAPublicAddressLinksComeFromTheRequestAsBefore()
    {
        await ContactWithAPageAndMoreOfArticlesAsync();
        var list = await GetJson("/odata/Articles?$expand=contacts&$select=title");
        Assert.That((string?)list["@odata.context"], Does.StartWith(new Uri(Client.BaseAddress!, "/odata/$metadata").ToString()));
        Assert.That((string?)list["@odata.nextLink"], Does.StartWith(new Uri(Client.BaseAddress!, "/odata/Articles?").ToString()));
    }

    [Test]
    public void APublicAddressThatIsNotAnAbsoluteHttpAddressStopsTheServerAtStart()
    {
        foreach (var bad in new[] { "api.solvesborg.se", "ftp://api.solvesborg.se/", "https://api.solvesborg.se/?a=b" })
        {
            using var server = new ContentApiFactory(TestRun.ConnectionString, TestRun.PhotoFolder,
                settings: new Dictionary<string, string?> { ["PublicBaseUrl"] = bad });
            var error = Assert.Catch(() => server.CreateClient(), bad);
            Assert.That(error!.ToString(), Does.Contain("PublicBaseUrl"), bad);
        }
    }

    private static ContentApiFactory PublicServer()
    {
        var server = new ContentApiFactory(TestRun.ConnectionString, TestRun.PhotoFolder,
            settings: new Dictionary<string, string?> { ["PublicBaseUrl"] = PublicBase });
        server.UseKestrel(0);
        return server;
    }

    /// <summary>A contact named by one more published article than an expanded page holds, and one of the articles.</summary>
    private static async Task<(Guid Contact, Guid Article)> ContactWithAPageAndMoreOfArticlesAsync()
    {
        var contact = Contact();
        var articles = Enumerable.Range(0, ContentQueryAttribute.ExpandedPageSize + 1).Select(i =>
        {
            var article = Article($"Artikel {i}", minutesAfterBase: i);
            article.Contacts = [contact];
            return article;
        }).ToList();
        await SaveAsync([contact, .. articles]);
        return (contact.Id, articles[0].Id);
    }

    /// <summary>A GET, with the Host (and the forwarded host and scheme) an attacker would forge when asked.</summary>
    private static async Task<(HttpResponseMessage Response, string Body)> GetAsync(HttpClient client, string url, bool forgeHost = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (forgeHost)
        {
            request.Headers.Host = "evil.example";
            request.Headers.TryAddWithoutValidation("X-Forwarded-Host", "evil.example");
            request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "http");
        }
        var response = await client.SendAsync(request);
        return (response, await response.Content.ReadAsStringAsync());
    }
}

/// <summary>AllowedHosts, as production sets it: another Host is a 400 problem, the listed ones are answered.</summary>
public class AllowedHostsTests : ApiTest
{
    [Test]
    public async Task AHostNotListedIsA400ProblemAndAListedOneIsAnswered()
    {
        await SaveAsync(Article("Nyhet"));
        await using var server = new ContentApiFactory(TestRun.ConnectionString, TestRun.PhotoFolder,
            settings: new Dictionary<string, string?> { ["AllowedHosts"] = "api.solvesborg.se;*.solvesborg.se;127.0.0.1;localhost" });
        server.UseKestrel(0);
        using var client = server.CreateClient();
        foreach (var (host, allowed) in new[] { ("evil.example", false), ("solvesborg.se.evil.example", false), ("api.solvesborg.se", true), ("www.solvesborg.se:8080", true) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/articles");
            request.Headers.Host = host;
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if (allowed)
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{host}: {body}");
            else
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), $"{host}: {body}");
                Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), host);
                Assert.That((string?)JsonNode.Parse(body)!["detail"], Does.Contain("Host"), host);
            }
        }
        Assert.That((await client.GetAsync("/api/articles")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the address the client was given");

        // Load balancers and orchestrators probe by address (Host: 10.0.3.7:8080): health answers whatever the Host.
        foreach (var probe in new[] { "/health/live", "/health/ready" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, probe) { Headers = { Host = "10.0.3.7:8080" } };
            using var response = await client.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), probe);
        }
    }
}
