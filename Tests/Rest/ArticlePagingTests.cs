using System.Net;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Rest;

/// <summary>Article lists continue by cursor (after the last article of the page), page numbers reach 10 000 articles.</summary>
public class ArticlePagingTests : ApiTest
{
    private static async Task<List<string?>> WalkAsync(HttpClient client, string url, List<int>? pages = null)
    {
        var titles = new List<string?>();
        for (string? next = url; next is not null;)
        {
            var page = await GetJson(client, next);
            titles.AddRange(Strings(page["items"], "title"));
            pages?.Add((int)page["page"]!);
            next = (string?)page["nextPage"];
            Assert.That(next, Is.Null.Or.Contain("cursor=").And.Not.Contain("page="), "the next page continues by cursor");
        }
        return titles;
    }

    [Test]
    public async Task FollowingNextPageWalksTheWholeListOnceInOrder()
    {
        // Two articles published at the same moment: the id breaks the tie, and the cursor continues between them.
        await SaveAsync(Article("A", minutesAfterBase: 1), Article("B", minutesAfterBase: 2), Article("C", minutesAfterBase: 2),
            Article("D", minutesAfterBase: 3), Article("E", minutesAfterBase: 4), Article("Utkast", ContentStatus.Draft, 5));
        var everything = Strings((await GetJson("/api/articles?pageSize=100"))["items"], "title");
        Assert.That(everything, Has.Count.EqualTo(5));

        var pages = new List<int>();
        Assert.That(await WalkAsync(Client, "/api/articles?pageSize=2", pages), Is.EqualTo(everything));
        Assert.That(pages, Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(await WalkAsync(Client, "/api/articles?pageSize=1"), Is.EqualTo(everything));
        // page=N and the cursor agree.
        var third = await GetJson("/api/articles?pageSize=2&page=2");
        Assert.That(Strings(third["items"], "title"), Is.EqualTo(everything.Skip(2).Take(2)));
    }

    [Test]
    public async Task EditorsWalkTheirDraftsWithoutADateToo()
    {
        // Drafts have no publishedAt: PostgreSQL lists them first, newest first, and the cursor continues by id.
        var drafts = Enumerable.Range(0, 3).Select(i => (object)Article($"Utkast {i}", ContentStatus.Draft, i));
        await SaveAsync([.. drafts, Article("Publicerad 1", minutesAfterBase: 1), Article("Publicerad 2", minutesAfterBase: 2)]);
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var everything = Strings((await GetJson(editor, "/api/articles?pageSize=100"))["items"], "title");
        Assert.That(everything, Has.Count.EqualTo(5));
        Assert.That(await WalkAsync(editor, "/api/articles?pageSize=2"), Is.EqualTo(everything));
        Assert.That(await WalkAsync(editor, "/api/articles?pageSize=1&status=Draft"), Has.Count.EqualTo(3));
    }

    [Test]
    public async Task TheNextPageKeepsTheFilterAndAPublishMeanwhileNeitherRepeatsNorHidesOne()
    {
        await SaveAsync(Article("Trafik 1", minutesAfterBase: 1, tags: "trafik"), Article("Trafik 2", minutesAfterBase: 2, tags: "trafik"),
            Article("Skola", minutesAfterBase: 3, tags: "skola"), Article("Trafik 3", minutesAfterBase: 4, tags: "trafik"));
        var first = await GetJson("/api/articles?tag=trafik&pageSize=2");
        Assert.That(Strings(first["items"], "title"), Is.EqualTo(new[] { "Trafik 3", "Trafik 2" }));
        var next = (string)first["nextPage"]!;
        Assert.That(next, Does.StartWith("/api/articles?tag=trafik&pageSize=2&cursor="));
        // Newer articles published while reading do not shift the rest of the list.
        await SaveAsync(Article("Trafik 4", minutesAfterBase: 5, tags: "trafik"));
        var second = await GetJson(next, forget: true);
        Assert.That(Strings(second["items"], "title"), Is.EqualTo(new[] { "Trafik 1" }));
        Assert.That(second["nextPage"], Is.Null);
        Assert.That((int)second["totalCount"]!, Is.EqualTo(4));
    }

    [TestCase("/api/articles?cursor=abc")]
    [TestCase("/api/articles?cursor=")]
    [TestCase("/api/articles?cursor=AgAAAAIBAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [TestCase("/api/articles?cursor=AQAAAAEBAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [TestCase("/api/articles?cursor=%00%01")]
    public async Task ACursorThisApiDidNotWriteIsA400(string url)
    {
        Assert.That(await GetProblem(url, HttpStatusCode.BadRequest), Does.Contain("cursor"));
    }

    [Test]
    public async Task ACursorWithAPageIsA400AndATamperedOneStillReadsSafely()
    {
        await SaveAsync(Article("A", minutesAfterBase: 1), Article("B", minutesAfterBase: 2));
        var next = (string)(await GetJson("/api/articles?pageSize=1"))["nextPage"]!;
        Assert.That(await GetProblem(next + "&page=2", HttpStatusCode.BadRequest), Does.Contain("not both"));
        var cursor = next[(next.IndexOf("cursor=", StringComparison.Ordinal) + 7)..];
        // Another list's cursor is only a position: it continues after it in this list.
        Assert.That(Strings((await GetJson($"/api/articles?tag=trafik&cursor={cursor}"))["items"], "title"), Is.Empty);
    }

    [Test]
    public async Task PageNumbersStopAtTenThousandArticlesAndSayToFollowNextPage()
    {
        await SaveAsync(Article("En"));
        Assert.That((await GetJson("/api/articles?page=100&pageSize=100"))["items"]!.AsArray(), Is.Empty);
        Assert.That((await GetJson("/api/articles?page=500&pageSize=20"))["items"]!.AsArray(), Is.Empty);
        var detail = await GetProblem("/api/articles?page=501&pageSize=20", HttpStatusCode.BadRequest);
        Assert.That(detail, Does.Contain("10000").And.Contain("nextPage"));
        await GetProblem("/api/articles?page=101&pageSize=100", HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task ODataSkipStopsAtTenThousand()
    {
        await SaveAsync(Article("En"));
        Assert.That((await GetJson("/odata/Articles?$skip=10000"))["value"]!.AsArray(), Is.Empty);
        await GetProblem("/odata/Articles?$skip=10001", HttpStatusCode.BadRequest);
    }
}
