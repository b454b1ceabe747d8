using System.Net;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Quality;

/// <summary>The tags of published articles with their counts, on REST and OData. (Drafts: Tests/Visibility/DraftLeakTests.)</summary>
public class TagTests : ApiTest
{
    private static Task SaveTaggedAsync() => SaveAsync(
        Article("Ett", tags: ["trafik", "trygghet"]), Article("Två", minutesAfterBase: 1, tags: ["trafik", "äldreomsorg"]),
        Article("Tre", minutesAfterBase: 2, tags: ["trafik", "trygghet", "återvinning"]),
        Article("Fyra", minutesAfterBase: 3, tags: ["zoo", "avfall", "öppettider"]));

    [Test]
    public async Task TagsAreCountedMostUsedFirstThenInSwedishOrder()
    {
        await SaveTaggedAsync();
        var tags = (await GetJson("/api/tags")).AsArray().Select(t => ((string?)t!["name"], (int?)t["articleCount"]));
        // Ties by name as Swedish sorts: a–z, then å, ä, ö.
        Assert.That(tags, Is.EqualTo(new (string?, int?)[]
        {
            ("trafik", 3), ("trygghet", 2), ("avfall", 1), ("zoo", 1), ("återvinning", 1), ("äldreomsorg", 1), ("öppettider", 1),
        }));
        Assert.That((await GetProblem("/api/tags?limit=3", HttpStatusCode.BadRequest)), Does.Contain("'limit'"));
    }

    [Test]
    public async Task ODataFiltersSortsAndTakesTags()
    {
        await SaveTaggedAsync();
        var often = await GetJson("/odata/Tags?$filter=articleCount ge 2&$orderby=name desc&$count=true");
        Assert.That(Strings(often["value"], "name"), Is.EqualTo(new[] { "trygghet", "trafik" }));
        Assert.That((int?)often["@odata.count"], Is.EqualTo(2));
        var top = await GetJson("/odata/Tags?$orderby=articleCount desc,name&$top=3");
        Assert.That(Strings(top["value"], "name"), Is.EqualTo(new[] { "trafik", "trygghet", "avfall" }));
        var byName = await GetJson("/odata/Tags?$filter=startswith(name, 'tr')&$orderby=name");
        Assert.That(Strings(byName["value"], "name"), Is.EqualTo(new[] { "trafik", "trygghet" }));
        var one = await GetJson("/odata/Tags('trafik')");
        Assert.That((int?)one["articleCount"], Is.EqualTo(3));
        await GetProblem("/odata/Tags('saknas')", HttpStatusCode.NotFound);
    }

    [Test]
    public async Task PublishingAnArticleEvictsTheStoredTags()
    {
        var draft = Article("Utkast", ContentStatus.Draft, tags: ["badplatser"]);
        await SaveAsync(Article("Publicerad", tags: ["trafik"]), draft);
        Assert.That(Strings(await GetJson("/api/tags"), "name"), Is.EqualTo(new[] { "trafik" }));
        Assert.That(Strings((await GetJson("/odata/Tags"))["value"], "name"), Is.EqualTo(new[] { "trafik" }));

        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var (published, _) = await publisher.SendJson(HttpMethod.Post, $"/api/articles/{draft.Id}/publish");
        Assert.That(published.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        Assert.That(Strings(await GetJson("/api/tags"), "name"), Is.EqualTo(new[] { "badplatser", "trafik" }));
        Assert.That(Strings((await GetJson("/odata/Tags"))["value"], "name"), Is.EqualTo(new[] { "badplatser", "trafik" }));
    }
}
