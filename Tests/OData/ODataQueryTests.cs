using System.Net;
using System.Text.Json.Nodes;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using Microsoft.EntityFrameworkCore;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.OData;

public class ODataQueryTests : ApiTest
{
    private static List<string?> Titles(JsonNode json) => Strings(json["value"], "title");

    [Test]
    public async Task ServiceDocumentListsTheEntitySets()
    {
        var json = await GetJson("/odata");
        Assert.That(Strings(json["value"], "name"), Is.EquivalentTo(new[] { "Articles", "ArticleTags", "Pledges", "Photos", "Contacts", "Tags", "TagMonths" }));
    }

    [Test]
    public async Task MetadataDescribesCamelCasePropertiesAndHidesInternalOnes()
    {
        using var response = await Client.GetAsync("/odata/$metadata");
        var xml = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(xml, Does.Contain("<EntityType Name=\"Article\">").And.Contain("Name=\"publishedAt\"")
            .And.Contain("Name=\"heroPhoto\"").And.Contain("Name=\"altText\"").And.Contain("Name=\"priorityAreas\""));
        Assert.That(xml, Does.Not.Contain("storagePath").And.Not.Contain("photoIds").And.Not.Contain("PublishedAt"));
        Assert.That(xml, Does.Not.Contain("\"RequiresFilter\" Bool=\"true\""), "no entity set demands a $filter");
    }

    [Test]
    public async Task FilterSupportsComparisonsLogicStringDateFunctionsAndIn()
    {
        await SaveAsync(
            Article("Trafik i centrum", minutesAfterBase: 0, tags: ["trafik"]),
            Article("Trygghet i Norje", minutesAfterBase: 60 * 24 * 400, tags: ["trygghet"]),
            Article("Skolstart", minutesAfterBase: 10, tags: ["skola"]));

        Assert.That(Titles(await GetJson("/odata/Articles?$filter=publishedAt gt 2025-01-01T00:00:00Z")), Is.EqualTo(new[] { "Trygghet i Norje" }));
        Assert.That(Titles(await GetJson("/odata/Articles?$filter=year(publishedAt) eq 2024 and not startswith(title,'Skol')")), Is.EqualTo(new[] { "Trafik i centrum" }));
        Assert.That(Titles(await GetJson("/odata/Articles?$filter=contains(title,'Norje') or slug eq 'skolstart'&$orderby=title")), Is.EqualTo(new[] { "Skolstart", "Trygghet i Norje" }));
        Assert.That(Titles(await GetJson("/odata/Articles?$filter=slug in ('skolstart','trafik-i-centrum')&$orderby=title")), Is.EqualTo(new[] { "Skolstart", "Trafik i centrum" }));
        Assert.That(Titles(await GetJson("/odata/Articles?$filter=tags/any(t: t eq 'trygghet')")), Is.EqualTo(new[] { "Trygghet i Norje" }));
        Assert.That(Titles(await GetJson("/odata/Articles?$filter=month(publishedAt) eq 3 and day(publishedAt) eq 1&$orderby=title")), Is.EqualTo(new[] { "Skolstart", "Trafik i centrum" }));
    }

    [Test]
    public async Task PhotosCarryReadyRenditionAddresses()
    {
        var photo = Photo();
        photo.Width = 1000;
        var article = Article("Nyhet");
        article.HeroPhotoId = photo.Id;
        await SaveAsync(photo, article);
        var renditions = (await GetJson("/odata/Photos"))["value"]![0]!["renditions"]!.AsArray();
        Assert.That(renditions.Select(r => (int?)r!["width"]).Distinct(), Is.EqualTo(new int?[] { 160, 320, 480, 640, 960 }));
        Assert.That((string?)renditions[0]!["url"], Does.StartWith($"/api/photos/{photo.Id}/renditions/"));
        var expanded = await GetJson("/odata/Articles?$select=title&$expand=heroPhoto");
        Assert.That(expanded["value"]![0]!["heroPhoto"]!["renditions"]!.AsArray(), Has.Count.EqualTo(10));
    }

    [Test]
    public async Task SelectReturnsOnlyTheAskedProperties()
    {
        await SaveAsync(Article("Nyhet"));
        var item = (await GetJson("/odata/Articles?$select=title,slug"))["value"]![0]!.AsObject();
        Assert.That(item.Select(p => p.Key), Is.EquivalentTo(new[] { "title", "slug" }));
    }

    [Test]
    public async Task ExpandWithNestedSelectAndFilter()
    {
        var photo = Photo("Alt-text");
        var anna = Contact("Anna");
        var bo = Contact("Bo");
        var pledge = Pledge(2024);
        var article = Article("Nyhet");
        article.HeroPhotoId = photo.Id;
        article.PledgeId = pledge.Id;
        article.Contacts = [anna, bo];
        await SaveAsync(photo, anna, bo, pledge, article);

        var json = await GetJson("/odata/Articles?$select=title&$expand=heroPhoto($select=altText),contacts($filter=name eq 'Bo';$select=name),pledge($select=year)");
        var item = json["value"]![0]!;
        Assert.That((string?)item["heroPhoto"]!["altText"], Is.EqualTo("Alt-text"));
        Assert.That(Strings(item["contacts"], "name"), Is.EqualTo(new[] { "Bo" }));
        Assert.That((int?)item["pledge"]!["year"], Is.EqualTo(2024));

        var nested = await GetJson("/odata/Pledges?$expand=articles($select=title;$expand=contacts($select=name;$orderby=name desc))");
        Assert.That(Strings(nested["value"]![0]!["articles"]![0]!["contacts"], "name"), Is.EqualTo(new[] { "Bo", "Anna" }));
    }

    [Test]
    public async Task OrderByOnSeveralPropertiesTopSkipAndCount()
    {
        await SaveAsync(Article("B", minutesAfterBase: 1), Article("A", minutesAfterBase: 1), Article("C", minutesAfterBase: 2), Article("D", minutesAfterBase: 0));

        var json = await GetJson("/odata/Articles?$orderby=publishedAt desc,title asc&$top=2&$skip=1&$count=true");
        Assert.That(Titles(json), Is.EqualTo(new[] { "A", "B" }));
        Assert.That((int?)json["@odata.count"], Is.EqualTo(4));
    }

    [Test]
    public async Task ServerDrivenPagingGivesANextLinkAtTheMaximumPageSize()
    {
        await SaveAsync([.. Enumerable.Range(1, 105).Select(i => (object)Article($"Artikel {i:000}", minutesAfterBase: i))]);

        var first = await GetJson("/odata/Articles?$select=title&$orderby=title&$count=true");
        Assert.That(first["value"]!.AsArray(), Has.Count.EqualTo(100));
        Assert.That((int?)first["@odata.count"], Is.EqualTo(105));
        var next = (string?)first["@odata.nextLink"];
        Assert.That(next, Is.Not.Null);

        var second = await GetJson(next!);
        Assert.That(Titles(second), Is.EqualTo(Enumerable.Range(101, 5).Select(i => $"Artikel {i:000}")));
        Assert.That(second["@odata.nextLink"], Is.Null);
    }

    [Test]
    public async Task NextLinksContinueAfterTheLastItemSoAWriteBetweenPagesNeitherRepeatsNorSkipsOne()
    {
        var articles = Enumerable.Range(1, 150).Select(i => Article($"Artikel {i:000}", minutesAfterBase: i)).ToList();
        await SaveAsync([.. articles.Cast<object>()]);

        var first = await GetJson("/odata/Articles?$select=id,title&$count=true");
        var next = (string?)first["@odata.nextLink"];
        Assert.That(next, Does.Contain("$skiptoken="), "a next link by position ($skip) would shift when content changes");
        var firstIds = Strings(first["value"], "id");
        Assert.That(firstIds, Has.Count.EqualTo(100));

        // An article of the first page is unpublished before the second page is read: with $skip=100 the second page
        // would start one article too late, and an integrator would never see that article.
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var (unpublished, _) = await publisher.SendJson(HttpMethod.Post, $"/api/articles/{firstIds[3]}/unpublish");
        Assert.That(unpublished.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var second = await GetJson(next!);
        var all = firstIds.Concat(Strings(second["value"], "id")).ToList();
        Assert.That(all, Is.Unique);
        Assert.That(all, Is.EquivalentTo(articles.Select(a => a.Id.ToString())));
        Assert.That(second["@odata.nextLink"], Is.Null);
        Assert.That((int?)second["@odata.count"], Is.EqualTo(149), "the count is of the whole result, not of the rest");
    }

    /// <summary>Follows nextLinks from the URL; returns every page's ids, and each page's nextLink.</summary>
    private static async Task<(List<string?> Ids, List<string?> Links)> WalkAsync(HttpClient client, string url, int? count = null)
    {
        var (ids, links) = (new List<string?>(), new List<string?>());
        for (string? next = url; next is not null && links.Count < 20;)
        {
            using var response = await client.GetAsync(next);
            var body = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"GET {next}: {body}");
            var page = JsonNode.Parse(body)!;
            if (count is not null)
                Assert.That((int?)page["@odata.count"], Is.EqualTo(count), $"page {links.Count + 1}");
            ids.AddRange(Strings(page["value"], "id"));
            next = (string?)page["@odata.nextLink"];
            links.Add(next);
        }
        return (ids, links);
    }

    [Test]
    public async Task NextLinksWalkAFilteredDescendingOrderOnceThroughEveryArticle()
    {
        // Seven articles share each time, so ties straddle the page boundary: the key breaks them, in the next link as
        // in the order.
        var articles = Enumerable.Range(1, 230)
            .Select(i => Article($"Artikel {i:000}", minutesAfterBase: i / 7, tags: i % 3 == 0 ? ["trafik"] : ["skola"]))
            .ToList();
        await SaveAsync([.. articles.Cast<object>()]);
        var expected = articles.Where(a => a.Tags.Contains("skola")).Select(a => a.Id.ToString()).ToList();

        var (seen, links) = await WalkAsync(Client,
            "/odata/Articles?$filter=tags/any(t: t eq 'skola')&$orderby=updatedAt desc&$select=id&$count=true", expected.Count);
        Assert.That(links, Has.Count.EqualTo(2));
        Assert.That(links[0], Does.Contain("$skiptoken=updatedAt-"));
        Assert.That(seen, Is.Unique);
        Assert.That(seen, Is.EquivalentTo(expected));
        Assert.That(seen.Select(id => articles.Single(a => a.Id.ToString() == id).UpdatedAt), Is.Ordered.Descending,
            "newest first across both pages");
    }

    [Test]
    public async Task AnOrderByAPropertyThatCanBeNullIsPagedBySkipAndReachesEveryArticle()
    {
        // An editor sees drafts, which have no publishedAt; PostgreSQL sorts them first in a descending order.
        var articles = Enumerable.Range(1, 150)
            .Select(i => Article($"Artikel {i:000}", i % 2 == 0 ? ContentStatus.Draft : ContentStatus.Published, minutesAfterBase: i))
            .ToList();
        await SaveAsync([.. articles.Cast<object>()]);
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);

        var (seen, links) = await WalkAsync(editor, "/odata/Articles?$orderby=publishedAt desc&$select=id");
        Assert.That(links[0], Does.Contain("$skip=100").And.Not.Contain("$skiptoken"));
        Assert.That(seen, Is.Unique);
        Assert.That(seen, Is.EquivalentTo(articles.Select(a => a.Id.ToString())), "drafts and published articles alike");

        using var token = await editor.GetAsync($"/odata/Articles?$orderby=publishedAt desc&$skiptoken=publishedAt-null,id-{articles[0].Id}");
        Assert.That(token.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await token.Content.ReadAsStringAsync(), Does.Contain("$skiptoken continues only"));
    }

    [Test]
    public async Task AnonymousReadersWalkNewestFirstByTokenThroughEveryPublishedArticle()
    {
        // Anonymous readers see published articles only, and those always have a publishedAt (the database holds it):
        // the natural order of news is continued by a token. Seven articles share each time, so ties straddle pages.
        var articles = Enumerable.Range(1, 230)
            .Select(i => Article($"Artikel {i:000}", i % 10 == 0 ? ContentStatus.Draft : ContentStatus.Published, minutesAfterBase: i / 7))
            .ToList();
        await SaveAsync([.. articles.Cast<object>()]);
        var published = articles.Where(a => a.Status == ContentStatus.Published).ToList();

        var (seen, links) = await WalkAsync(Client, "/odata/Articles?$orderby=publishedAt desc&$select=id&$count=true", published.Count);
        Assert.That(links, Has.Count.EqualTo(3));
        Assert.That(links[0], Does.Contain("$skiptoken=publishedAt-"));
        Assert.That(seen, Is.Unique);
        Assert.That(seen, Is.EquivalentTo(published.Select(a => a.Id.ToString())));
        Assert.That(seen.Select(id => published.Single(a => a.Id.ToString() == id).PublishedAt), Is.Ordered.Descending);

        await using var db = TestRun.Factory.CreateDbContext();
        var undated = Assert.ThrowsAsync<Npgsql.PostgresException>(() =>
            db.Database.ExecuteSqlAsync($"UPDATE articles SET published_at = NULL WHERE id = {published[0].Id}"));
        Assert.That(undated!.SqlState, Is.EqualTo(Npgsql.PostgresErrorCodes.CheckViolation), "published content keeps its date");
    }

    [TestCase("pledge/year")]
    [TestCase("pledge/title desc")]
    [TestCase("length(title),pledge/year desc")]
    public async Task AnOrderThroughAnOptionalNavigationIsPagedBySkipAndReachesEveryArticle(string orderBy)
    {
        // One article has a pledge, the others none: a token would compare their missing values as C# does.
        var pledge = Pledge(2024);
        var articles = Enumerable.Range(1, 130).Select(i => Article($"Artikel {i:000}", minutesAfterBase: i)).ToList();
        articles[70].PledgeId = pledge.Id;
        await SaveAsync([pledge, .. articles.Cast<object>()]);

        var (seen, links) = await WalkAsync(Client, $"/odata/Articles?$orderby={orderBy}&$select=id");
        Assert.That(links[0], Does.Contain("$skip=100").And.Not.Contain("$skiptoken"));
        Assert.That(seen, Is.Unique);
        Assert.That(seen, Is.EquivalentTo(articles.Select(a => a.Id.ToString())));
    }

    [Test]
    public async Task PledgesExposePriorityAreasWithCommitments()
    {
        await SaveAsync(Pledge(2024));
        var json = await GetJson("/odata/Pledges?$select=year,priorityAreas&$filter=year eq 2024");
        var area = json["value"]![0]!["priorityAreas"]![0]!;
        Assert.That((string?)area["title"], Is.EqualTo("Trafik"));
        Assert.That((string?)area["commitments"]![0]!["status"], Is.EqualTo("Done"));
    }

    [Test]
    public async Task EntityByKeyWithSelect()
    {
        var contact = Contact("Gabriella Leandersson");
        var article = Article("Nyhet");
        article.Contacts = [contact];
        await SaveAsync(contact, article);

        var json = await GetJson($"/odata/Contacts({contact.Id})?$select=name,phone");
        Assert.That((string?)json["name"], Is.EqualTo("Gabriella Leandersson"));
        Assert.That((string?)json["phone"], Is.EqualTo("+46456816000"));
    }

    [Test]
    public async Task DocumentPropertyNamesInsideTextAreNotMistakenForThem()
    {
        await SaveAsync(Article("En body text"));
        Assert.That(Titles(await GetJson("/odata/Articles?$filter=contains(title,'body text')&$select=title,body")), Is.EqualTo(new[] { "En body text" }));
    }

    [TestCase("$filter=nosuchproperty eq 1", "nosuchproperty")]
    [TestCase("$filter=title eq", "Expression expected")]
    [TestCase("$filter=contains(title", "")]
    [TestCase("$select=nosuchproperty", "nosuchproperty")]
    [TestCase("$orderby=nosuchproperty", "nosuchproperty")]
    [TestCase("$orderby=body", "")]
    [TestCase("$filter=body/any(b: b/text eq 'x')", "body")]
    [TestCase("$expand=pledge($filter=priorityAreas/any(a: a/title eq 'x'))", "priorityAreas")]
    [TestCase("$search=(trafik", "")]
    [TestCase("$expand=heroPhoto($select=renditions)", "renditions")]
    [TestCase("$expand=nosuchnavigation", "nosuchnavigation")]
    [TestCase("$expand=pledge($expand=articles($expand=pledge))", "too deep")]
    [TestCase("$top=101", "101")]
    [TestCase("$top=-1", "")]
    [TestCase("$top=abc", "")]
    [TestCase("$skip=-5", "")]
    [TestCase("$count=maybe", "")]
    [TestCase("$apply=groupby((title)", "expected")]
    [TestCase("$apply=groupby((body),aggregate($count as n))", "body")]
    [TestCase("$apply=groupby((tags),aggregate($count as n))", "ArticleTags")]
    [TestCase("$apply=aggregate(title with sum as n)", "Sum")]
    [TestCase("$apply=aggregate(nosuch with max as n)", "nosuch")]
    [TestCase("$apply=topcount(2,publishedAt)", "")]
    [TestCase("$compute=year(publishedAt)", "'as' expected")]
    [TestCase("$compute=nosuch as y", "nosuch")]
    [TestCase("$filter=publishedAt gt 'not a date'", "")]
    [TestCase("$format=xml", "$format=xml is not offered")]
    [TestCase("$format=atom", "$format=atom is not offered")]
    [TestCase("$skiptoken=", "$skiptoken is empty")]
    [TestCase("$skiptoken=garbage", "skiptoken")]
    [TestCase("$skiptoken=id-notaguid", "skiptoken")]
    [TestCase("$orderby=title&$skiptoken=id-00000000-0000-0000-0000-000000000000", "skiptoken")]
    public async Task MalformedQueriesAre400ProblemsThatSayWhy(string query, string mentions)
    {
        if (query.StartsWith("$format"))
            Assert.That((await GetJson("/odata/Articles?$format=json"))["value"], Is.Not.Null, "JSON may be asked for by name");
        await SaveAsync(Article("Nyhet"));
        var detail = await GetProblem($"/odata/Articles?{query}", HttpStatusCode.BadRequest);
        Assert.That(detail, Does.Contain(mentions));
        Assert.That(detail, Does.Not.Contain("   at "), "no stack traces in problems");
        Assert.That(detail, Does.Not.Contain("EnableQueryAttribute"), "no advice meant for the server's developers");
    }
}
