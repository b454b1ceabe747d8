using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;
using static ContentApi.Tests.Support.DeliverySupport;

namespace ContentApi.Tests.Search;

/// <summary>GET /api/search: Swedish full-text search over articles and pledges.</summary>
public class SearchTests : ApiTest
{
    internal static Article Text(string title, string lead, string body, int minutesAfterBase = 0, ContentStatus status = ContentStatus.Published,
        params string[] tags)
    {
        var article = Article(title, status, minutesAfterBase, tags);
        article.Lead = lead;
        article.Body = [Block.Paragraph(body)];
        return article;
    }

    internal static Task<JsonNode> SearchFor(string query, HttpClient? client = null) =>
        GetJson(client ?? Client, "/api/search?q=" + Uri.EscapeDataString(query));

    internal static List<string?> Titles(JsonNode answer) => answer["items"]!.AsArray().Select(i => (string?)i!["title"]).ToList();

    [Test]
    public async Task InflectedFormsAreFoundAndATitleHitRanksAboveABodyHit()
    {
        await SaveAsync(
            Text("Kvällens program", "Kommunen bjuder in.", "Efter mötet blir det trygghetsvandring runt torget.", minutesAfterBase: 5),
            Text("Trygghetsvandring i Norje", "Kommunen bjuder in.", "Välkommen!"),
            Text("Simskola på Lister", "Kommunen bjuder in.", "Anmäl dig i dag."));

        var answer = await SearchFor("trygghetsvandringar");

        Assert.That(Titles(answer), Is.EqualTo(new[] { "Trygghetsvandring i Norje", "Kvällens program" }));
        Assert.That((int?)answer["totalCount"], Is.EqualTo(2));
        Assert.That((string?)answer["items"]![0]!["url"], Is.EqualTo("/api/articles/by-slug/trygghetsvandring-i-norje"));
    }

    [Test]
    public async Task TheSnippetIsEscapedTextWithOnlyMarks()
    {
        await SaveAsync(Text("Om trafiken", "Läs om <b>trafiken</b> & annat.",
            "Här står <script>alert('x')</script> och \"citat\" om trafiksäkerhet och trafiken i centrum.\u0002\u0003"));

        var snippet = (string)(await SearchFor("trafiken"))["items"]![0]!["snippet"]!;

        Assert.That(snippet, Does.Contain("<mark>trafiken</mark>"));
        // ts_headline drops what looks like a tag; what is left is escaped.
        Assert.That(snippet, Does.Contain("alert(&#39;x&#39;)").And.Contain("&quot;citat&quot;").And.Contain("&amp;"));
        Assert.That(snippet, Does.Not.Contain("<script").And.Not.Contain("<b>"));
        var withoutMarks = snippet.Replace("<mark>", "").Replace("</mark>", "");
        Assert.That(withoutMarks.IndexOfAny(['<', '>', '"', '\u0002', '\u0003']), Is.EqualTo(-1), withoutMarks);
    }

    [Test]
    public async Task AQueryWithoutDiacriticsFindsAndRanksBelowExactMatches()
    {
        await SaveAsync(Text("Möte i Mjällby", "Om vården i Mjällby.", "Välkommen.", minutesAfterBase: 5),
            Text("Mötet i Mjallby", "Stavat utan prickar.", "Välkommen."));

        Assert.That(Titles(await SearchFor("Mjallby")), Is.EqualTo(new[] { "Mötet i Mjallby", "Möte i Mjällby" }));
        Assert.That(Titles(await SearchFor("Mjällby")), Is.EqualTo(new[] { "Möte i Mjällby", "Mötet i Mjallby" }));
        var vard = await SearchFor("vard");
        Assert.That(Titles(vard), Is.EqualTo(new[] { "Möte i Mjällby" }));
        Assert.That((string?)vard["items"]![0]!["snippet"], Does.Contain("<mark>vården</mark>"));
    }

    [Test]
    public async Task PhrasesExclusionsAndAlternatives()
    {
        await SaveAsync(
            Text("Tidig upptäckt i skolan", "Skolan och polisen samverkar.", "Om arbetet.", 1),
            Text("Upptäckt av tidig vår", "Naturen.", "Om våren.", 2),
            Text("Förskola öppnar", "En ny förskola.", "Om förskolan.", 3),
            Text("Trafik vid skolan", "Polisen kontrollerar.", "Om trafik.", 4));

        Assert.That(Titles(await SearchFor("\"tidig upptäckt\"")), Is.EqualTo(new[] { "Tidig upptäckt i skolan" }));
        Assert.That(Titles(await SearchFor("skolan -polisen")), Is.Empty);
        Assert.That(Titles(await SearchFor("skolan -trafik")), Is.EqualTo(new[] { "Tidig upptäckt i skolan" }));
        Assert.That(Titles(await SearchFor("förskola or trafik")), Is.EquivalentTo(new[] { "Förskola öppnar", "Trafik vid skolan" }));
    }

    [Test]
    public async Task TheLastWordMatchesAsAPrefixWhileTyping()
    {
        await SaveAsync(Text("Trygghetsvandring i Norje", "Kommunen bjuder in.", "Välkommen."), Text("Trygghet i centrum", "Om trygghet.", "Välkommen."));

        Assert.That(Titles(await SearchFor("trygghetsvan")), Is.EqualTo(new[] { "Trygghetsvandring i Norje" }));
        Assert.That(Titles(await SearchFor("norje trygghetsvandr")), Is.EqualTo(new[] { "Trygghetsvandring i Norje" }));
        // A finished, quoted or excluded word is not a prefix.
        Assert.That(Titles(await SearchFor("\"trygghetsvan\"")), Is.Empty);
        Assert.That(Titles(await SearchFor("norje -trygghetsvan")), Is.EqualTo(new[] { "Trygghetsvandring i Norje" }));
    }

    [Test]
    public async Task PledgesAreFoundByTheirPriorityAreasAndCommitments()
    {
        await SaveAsync(Pledge(2024), Text("A-traktorer i trafiken", "Om A-traktorer.", "Text.", tags: ["trafik"]));

        var byCommitment = await SearchFor("samverkansforum");
        Assert.That(Strings(byCommitment["items"], "type"), Is.EqualTo(new[] { "pledge" }));
        Assert.That((string?)byCommitment["items"]![0]!["url"], Is.EqualTo("/api/pledges/by-year/2024"));
        Assert.That((string?)byCommitment["items"]![0]!["snippet"], Does.Contain("<mark>Samverkansforum</mark>"));
        Assert.That(Strings((await SearchFor("trygghetsvärdar"))["items"], "type"), Is.EqualTo(new[] { "pledge" }));
        var both = await GetJson("/api/search?q=a-traktorer");
        Assert.That(Strings(both["items"], "type"), Is.EquivalentTo(new[] { "pledge", "article" }));
        Assert.That(Strings((await GetJson("/api/search?q=a-traktorer&type=pledge"))["items"], "type"), Is.EqualTo(new[] { "pledge" }));
        Assert.That(Strings((await GetJson("/api/search?q=a-traktorer&type=article"))["items"], "type"), Is.EqualTo(new[] { "article" }));
        Assert.That(Strings((await GetJson("/api/search?q=a-traktorer&tag=trafik"))["items"], "type"), Is.EqualTo(new[] { "article" }));
    }

    [Test]
    public async Task FacetsFiltersAndPaging()
    {
        var articles = Enumerable.Range(0, 5).Select(i => Text($"Cykelbana {i}", "Nya cykelbanor.", "Text.", i, tags: i < 3 ? ["trafik"] : ["miljö"])).ToList();
        var older = Text("Cykelbana förra året", "Cykelbanor.", "Text.", tags: ["trafik"]);
        await SaveAsync([.. articles, older]);
        await using (var scope = TestRun.Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ContentApi.Infrastructure.ContentDbContext>();
            await db.Database.ExecuteSqlRawAsync("UPDATE articles SET published_at = published_at - interval '1 year' WHERE id = {0}", older.Id);
        }

        var all = await GetJson("/api/search?q=cykelbanor&pageSize=2");
        Assert.That((int?)all["totalCount"], Is.EqualTo(6));
        Assert.That(all["items"]!.AsArray(), Has.Count.EqualTo(2));
        Assert.That((string?)all["nextPage"], Does.Contain("page=2"));
        Assert.That(Facets(all, "tags"), Is.EqualTo(new Dictionary<string, int> { ["trafik"] = 4, ["miljö"] = 2 }));
        Assert.That(Facets(all, "years"), Is.EqualTo(new Dictionary<string, int> { ["2024"] = 5, ["2023"] = 1 }));
        Assert.That(Facets(all, "types"), Is.EqualTo(new Dictionary<string, int> { ["article"] = 6, ["pledge"] = 0 }));

        var trafik = await GetJson("/api/search?q=cykelbanor&tag=trafik&year=2024");
        Assert.That((int?)trafik["totalCount"], Is.EqualTo(3));
        Assert.That(Facets(trafik, "tags"), Is.EqualTo(new Dictionary<string, int> { ["trafik"] = 3 }));
        Assert.That(Facets(trafik, "years"), Is.EqualTo(new Dictionary<string, int> { ["2024"] = 3 }));
        Assert.That((bool?)trafik["moreMatches"], Is.False);

        var pages = new List<string?>();
        for (var page = 1; page <= 3; page++)
            pages.AddRange(Titles(await GetJson($"/api/search?q=cykelbanor&pageSize=2&page={page}")));
        Assert.That(pages, Is.Unique.And.Count.EqualTo(6));
    }

    private static Dictionary<string, int> Facets(JsonNode answer, string name) =>
        answer["facets"]![name]!.AsArray().ToDictionary(f => f!["value"]!.ToString(), f => (int)f!["count"]!);

    [Test]
    public async Task NothingFoundSuggestsWordsFromTitles()
    {
        await SaveAsync(Text("Öppet hus på biblioteket", "Välkommen.", "Text."));

        var answer = await SearchFor("bibloteket");
        Assert.That(answer["items"]!.AsArray(), Is.Empty);
        Assert.That((string?)answer["didYouMean"], Is.EqualTo("biblioteket"));
        Assert.That(Titles(await SearchFor((string)answer["didYouMean"]!)), Is.EqualTo(new[] { "Öppet hus på biblioteket" }));
        Assert.That((await SearchFor("biblioteket"))["didYouMean"], Is.Null);
        Assert.That((await SearchFor("xyzzyqwerty"))["didYouMean"], Is.Null);
    }

    [Test]
    public async Task AnswersAreStoredAndEvictedWhenContentChanges()
    {
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var draft = Text("Hamnfest i juli", "Välkommen till hamnfesten.", "Text.", status: ContentStatus.Draft);
        await SaveAsync(Text("Hamnfest i fjol", "Det var hamnfest.", "Text."), draft);
        const string url = "/api/search?q=hamnfest";
        Assert.That(Titles(await GetJson(url)), Is.EqualTo(new[] { "Hamnfest i fjol" }));
        using (var stored = await Client.GetAsync(url))
            Assert.That(stored.CacheStatus(), Is.EqualTo(Hit));

        var (published, _) = await publisher.SendJson(HttpMethod.Post, $"/api/articles/{draft.Id}/publish");
        Assert.That(published.IsSuccessStatusCode, await published.Content.ReadAsStringAsync());

        Assert.That(Titles(await GetJson(url)), Is.EquivalentTo(new[] { "Hamnfest i juli", "Hamnfest i fjol" }));
    }

    [Test]
    public async Task TheSearchDocumentFollowsEveryEditPublishAndDelete()
    {
        var article = Text("Ny brygga i hamnen", "Bryggan byggs om.", "Arbetet börjar i mars.");
        await SaveAsync(article);
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var (patched, _) = await publisher.SendJson(HttpMethod.Patch, $"/api/articles/{article.Id}",
            """{"body":[{"type":"Paragraph","text":"Arbetet börjar i oktober med en flytbrygga."}]}""",
            ifMatch: "\"1\"", mediaType: "application/merge-patch+json");
        Assert.That(patched.IsSuccessStatusCode, await patched.Content.ReadAsStringAsync());
        Assert.That(Titles(await SearchFor("flytbrygga")), Is.Empty, "a pending edit's words before it is published");
        Assert.That(Titles(await SearchFor("mars")), Is.EqualTo(new[] { "Ny brygga i hamnen" }));

        var (published, _) = await publisher.SendJson(HttpMethod.Post, $"/api/articles/{article.Id}/publish");
        Assert.That(published.IsSuccessStatusCode, await published.Content.ReadAsStringAsync());
        Assert.That(Titles(await SearchFor("flytbrygga")), Is.EqualTo(new[] { "Ny brygga i hamnen" }));
        Assert.That(Titles(await SearchFor("mars")), Is.Empty, "the words of the version replaced");

        using var current = await publisher.GetAsync($"/api/articles/{article.Id}");
        var (deleted, _) = await publisher.SendJson(HttpMethod.Delete, $"/api/articles/{article.Id}", ifMatch: current.Headers.ETag!.Tag);
        Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        await using var db = TestRun.Factory.CreateDbContext();
        Assert.That(await db.Set<Infrastructure.Search.SearchDocument>().CountAsync(d => d.Id == article.Id), Is.Zero);
        Assert.That(Titles(await SearchFor("flytbrygga")), Is.Empty);
    }

    [TestCase("/api/search")]
    [TestCase("/api/search?q=")]
    [TestCase("/api/search?q=%20%20")]
    [TestCase("/api/search?q=trafik&page=0")]
    [TestCase("/api/search?q=trafik&page=x")]
    [TestCase("/api/search?q=trafik&page=99999999999")]
    [TestCase("/api/search?q=trafik&pageSize=51")]
    [TestCase("/api/search?q=trafik&page=11&pageSize=50")]
    [TestCase("/api/search?q=trafik&type=photo")]
    [TestCase("/api/search?q=trafik&year=1999")]
    [TestCase("/api/search?q=trafik&year=tjugo")]
    [TestCase("/api/search?q=trafik&tag=")]
    [TestCase("/api/search?q=trafik&sort=title")]
    [TestCase("/api/search?q=a%00b")]
    public async Task BadParametersAreProblems(string url) => await GetProblem(url, HttpStatusCode.BadRequest);

    [Test]
    public async Task TooLongQueryIsAProblem() =>
        Assert.That(await GetProblem("/api/search?q=" + new string('a', 201), HttpStatusCode.BadRequest), Does.Contain("200"));

    [TestCase("\"")]
    [TestCase("-")]
    [TestCase("or")]
    [TestCase("och")]
    [TestCase("!trafik")]
    [TestCase("trafik & | ! : * ( ) <-> \\")]
    [TestCase("'trafik':* | 'x'")]
    [TestCase("\"tidig")]
    [TestCase("-\"\" or or - -")]
    [TestCase("😀 ümlaut ß İ")]
    [TestCase("a:*")]
    [TestCase("\uFFFD")]
    public async Task OddQueriesAreAnsweredNeverAServerError(string q)
    {
        await SaveAsync(Text("Trafik", "Om trafik.", "Text."));
        using var response = await Client.GetAsync("/api/search?q=" + Uri.EscapeDataString(q));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task ManyWordsAreAnswered()
    {
        var q = string.Join(' ', Enumerable.Range(0, 66).Select(i => "ord" + i)).Substring(0, 200);
        using var response = await Client.GetAsync("/api/search?q=" + Uri.EscapeDataString(q));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }
}
