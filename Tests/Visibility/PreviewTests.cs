using System.Net;
using System.Text.Json.Nodes;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Visibility;

/// <summary>
/// One reader: editors see every item in the version they work on, on every read path; anonymous readers see the live
/// version of published content, on every read path.
/// </summary>
public class PreviewTests : ApiTest
{
    private static async Task<(Article Article, Pledge Pledge)> PublishedArticleWithAPendingVersionAsync(HttpClient editor)
    {
        var pledge = Pledge(2024);
        var article = Article("Live titel", tags: ["trafik"]);
        article.PledgeId = pledge.Id;
        await SaveAsync(pledge, article);
        var (response, json) = await editor.SendJson(HttpMethod.Put, $"/api/articles/{article.Id}", new
        {
            title = "Ny titel", slug = "ny-titel", lead = "Ny ingress.", tags = new[] { "skola" },
            body = new[] { new { type = "Paragraph", text = "Ny brödtext." } }, pledgeId = pledge.Id,
        }, ifMatch: "\"1\"");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), json?.ToJsonString());
        return (article, pledge);
    }

    [Test]
    public async Task EveryReadPathShowsAnEditorThePendingVersionAndReadersTheLiveOne()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var (article, pledge) = await PublishedArticleWithAPendingVersionAsync(editor);

        var paths = new (string Url, Func<JsonNode, string?> Title)[]
        {
            ($"/api/articles/{article.Id}", j => (string?)j["title"]),
            ("/api/articles", j => (string?)j["items"]![0]!["title"]),
            ($"/odata/Articles({article.Id})", j => (string?)j["title"]),
            ("/odata/Articles?$select=title", j => (string?)j["value"]![0]!["title"]),
            ($"/odata/Pledges({pledge.Id})?$expand=articles($select=title)", j => (string?)j["articles"]![0]!["title"]),
            ("/api/pledges/by-year/2024", j => (string?)j["articles"]![0]!["title"]),
        };
        foreach (var (url, title) in paths)
        {
            Assert.That(title(await GetJson(editor, url)), Is.EqualTo("Ny titel"), $"editor, {url}");
            Assert.That(title(await GetJson(Client, url)), Is.EqualTo("Live titel"), $"anonymous, {url}");
        }

        // $filter, $orderby and $count act on the version shown.
        foreach (var (client, title, count) in new[] { (editor, "Ny titel", 1), (Client, "Ny titel", 0), (Client, "Live titel", 1), (editor, "Live titel", 0) })
        {
            var odata = await GetJson(client, $"/odata/Articles?$filter=title eq '{title}'&$count=true");
            Assert.That((int?)odata["@odata.count"], Is.EqualTo(count), $"$filter=title eq '{title}'");
        }
        Assert.That((int?)(await GetJson(editor, "/api/articles?tag=skola"))["totalCount"], Is.EqualTo(1));
        Assert.That((int?)(await GetJson(editor, "/api/articles?tag=trafik"))["totalCount"], Is.EqualTo(0));
        Assert.That((int?)(await GetJson(Client, "/api/articles?tag=skola"))["totalCount"], Is.EqualTo(0));
        Assert.That((int?)(await GetJson(Client, "/odata/Articles?$filter=tags/any(t: t eq 'skola')&$count=true"))["@odata.count"], Is.EqualTo(0));
        Assert.That((int?)(await GetJson(editor, "/odata/Articles?$filter=tags/any(t: t eq 'skola')&$count=true"))["@odata.count"], Is.EqualTo(1));

        // By slug: the pending slug for the editor, the live one for readers.
        Assert.That((string?)(await GetJson(editor, "/api/articles/by-slug/ny-titel"))["title"], Is.EqualTo("Ny titel"));
        await GetProblem("/api/articles/by-slug/ny-titel", HttpStatusCode.NotFound);
        Assert.That((string?)(await GetJson(Client, "/api/articles/by-slug/live-titel"))["title"], Is.EqualTo("Live titel"));
    }

    [Test]
    public async Task AnEditorCanTellAPendingVersionAndReadersCannot()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var (article, _) = await PublishedArticleWithAPendingVersionAsync(editor);
        var draft = Article("Utkast", ContentStatus.Draft);
        await SaveAsync(draft);

        var item = await GetJson(editor, $"/api/articles/{article.Id}");
        Assert.That((bool?)item["hasPendingChanges"], Is.True);
        Assert.That((string?)item["status"], Is.EqualTo("Published"));
        Assert.That((bool?)(await GetJson(editor, $"/api/articles/{draft.Id}"))["hasPendingChanges"], Is.False);
        var list = await GetJson(editor, "/api/articles");
        Assert.That(list["items"]!.AsArray().Select(i => (bool?)i!["hasPendingChanges"]), Is.EquivalentTo(new bool?[] { true, false }));

        // OData says it too, and editors may filter on it.
        Assert.That((bool?)(await GetJson(editor, $"/odata/Articles({article.Id})"))["hasPendingChanges"], Is.True);
        Assert.That((int?)(await GetJson(editor, "/odata/Articles?$filter=hasPendingChanges eq true&$count=true"))["@odata.count"], Is.EqualTo(1));
        Assert.That((bool?)(await GetJson(Client, $"/odata/Articles({article.Id})"))["hasPendingChanges"], Is.Null, "readers learn nothing of work in progress");
        Assert.That((int?)(await GetJson(Client, "/odata/Articles?$filter=hasPendingChanges eq true&$count=true"))["@odata.count"], Is.EqualTo(0));

        Assert.That((await GetJson(Client, $"/api/articles/{article.Id}")).AsObject().ContainsKey("hasPendingChanges"), Is.False);
        Assert.That((await GetJson(Client, "/api/articles"))["items"]![0]!.AsObject().ContainsKey("hasPendingChanges"), Is.False);
    }

    private static IEnumerable<ContentStatus> Statuses => Enum.GetValues<ContentStatus>();

    /// <summary>The compiled hot-path queries and the query filters read through the same faces: they agree on every status.</summary>
    [TestCaseSource(nameof(Statuses))]
    public async Task EveryReadPathAgreesOnWhoSeesAnArticleOfEachStatus(ContentStatus status)
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var article = Article("Artikeln", status);
        await SaveAsync(article);
        var urls = new[]
        {
            $"/api/articles/{article.Id}", "/api/articles/by-slug/artikeln", $"/odata/Articles({article.Id})",
        };
        var anonymousSees = status == ContentStatus.Published;
        foreach (var url in urls)
        {
            await GetJson(editor, url);
            await GetJson(Client, url, anonymousSees ? HttpStatusCode.OK : HttpStatusCode.NotFound);
        }
        Assert.That((int?)(await GetJson(Client, "/api/articles"))["totalCount"], Is.EqualTo(anonymousSees ? 1 : 0));
        Assert.That((int?)(await GetJson(Client, "/odata/Articles?$count=true"))["@odata.count"], Is.EqualTo(anonymousSees ? 1 : 0));
        Assert.That((int?)(await GetJson(editor, "/api/articles"))["totalCount"], Is.EqualTo(1));
        Assert.That((int?)(await GetJson(editor, "/odata/Articles?$count=true"))["@odata.count"], Is.EqualTo(1));
    }

    [Test]
    public async Task AKeyOfAPledgeReadersCannotSeeIsNotShown()
    {
        var pledge = Pledge(2024, ContentStatus.Draft);
        var article = Article("Om löftet");
        article.PledgeId = pledge.Id;
        await SaveAsync(pledge, article);

        var odata = await GetJson($"/odata/Articles({article.Id})");
        Assert.That(odata.AsObject().ContainsKey("pledgeId"), Is.False, odata.ToJsonString());
        Assert.That(odata.ToJsonString(), Does.Not.Contain(pledge.Id.ToString()));
        Assert.That((await GetJson($"/odata/Articles({article.Id})?$expand=pledge"))["pledge"], Is.Null);
        await GetProblem("/odata/Articles?$filter=pledgeId ne null", HttpStatusCode.BadRequest);
        Assert.That((int?)(await GetJson("/odata/Articles?$filter=pledge ne null&$count=true"))["@odata.count"], Is.EqualTo(0));
    }

    [Test]
    public async Task RepeatedTagsAskForArticlesWithAllOfThem()
    {
        await SaveAsync(Article("Båda", tags: ["trafik", "skola"]), Article("Trafik", minutesAfterBase: 1, tags: ["trafik"]),
            Article("Skola", minutesAfterBase: 2, tags: ["skola"]));
        Assert.That(Strings((await GetJson("/api/articles?tag=trafik&tag=skola"))["items"], "title"), Is.EqualTo(new[] { "Båda" }));
        Assert.That(Strings((await GetJson("/api/articles?tag=trafik"))["items"], "title"), Is.EqualTo(new[] { "Trafik", "Båda" }));
        var paged = await GetJson("/api/articles?tag=trafik&tag=skola&pageSize=1&page=1");
        Assert.That(paged["nextPage"], Is.Null);
        await SaveAsync(Article("Båda igen", minutesAfterBase: 3, tags: ["skola", "trafik"]));
        ForgetStoredAnswers();
        var first = await GetJson("/api/articles?tag=trafik&tag=skola&pageSize=1");
        Assert.That((string?)first["nextPage"], Does.Contain("tag=trafik").And.Contain("tag=skola"), "the next page keeps every tag");
    }

    [TestCase("/api/articles?q=trafik", "q")]
    [TestCase("/api/articles?search=trafik", "search")]
    [TestCase("/api/articles?sort=title", "sort")]
    [TestCase("/api/articles?year=2024", "year")]
    [TestCase("/api/pledges/current?year=2024", "year")]
    public async Task AQueryParameterTheEndpointDoesNotKnowIsA400NamingIt(string url, string name)
    {
        await SaveAsync(Article("Nyhet"), Pledge(2024));
        var detail = await GetProblem(url, HttpStatusCode.BadRequest);
        Assert.That(detail, Does.Contain($"'{name}'"));
    }
}
