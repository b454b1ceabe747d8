using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ContentApi.Api.Search;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Search.SearchTests;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Visibility;

/// <summary>Search shows anonymous callers only what the delivery face shows; editors search drafts and pending versions.</summary>
public class SearchDraftLeakTests : ApiTest
{
    private static IEnumerable<ContentStatus> Hidden => [ContentStatus.Draft, ContentStatus.Archived];

    /// <summary>
    /// With more matches than search ranks (<see cref="SearchQuery.MaxCandidates"/>), newer drafts among them change
    /// neither what is found nor the count: when the probe of the newest documents finds visible hits, and when it does
    /// not (2,000 newer articles without the word: search asks the indexes for every match, OData's $search reads the
    /// visible matches' ids first).
    /// </summary>
    [TestCase(100, 500, false)]
    [TestCase(-100, 600, false)]
    [TestCase(-100, 600, true)]
    public async Task ManyHitsAreCountedFromWhatTheCallerSeesWhateverDraftsAreNewer(int beyondRanked, int drafts, bool olderThanProbed)
    {
        var published = SearchQuery.MaxCandidates + beyondRanked;
        var articles = Enumerable.Range(0, published).Select(i => Text($"Kvastfenomen {i}", "Om kvastfenomen.", "Text.", i))
            .Concat(Enumerable.Range(0, drafts).Select(i =>
                Text($"Kvastfenomen utkast {i}", "Om kvastfenomen.", "Text.", published + i, ContentStatus.Draft)))
            .Concat(Enumerable.Range(0, olderThanProbed ? SearchQuery.ProbeSize : 0).Select(i =>
                Text($"Annat {i}", "Om annat.", "Text.", published + drafts + i)));
        await SaveAsync([.. articles]);

        var answer = await SearchFor("kvastfenomen");
        Assert.That((int?)answer["totalCount"], Is.EqualTo(Math.Min(published, SearchQuery.MaxCandidates)));
        Assert.That((bool?)answer["moreMatches"], Is.EqualTo(published > SearchQuery.MaxCandidates));
        Assert.That(Titles(answer), Has.Count.EqualTo(10).And.All.Not.Contain("utkast"));
        Assert.That((string?)answer["items"]![0]!["title"], Is.EqualTo($"Kvastfenomen {published - 1}"), "the newest published first among equals");

        var odata = await GetJson(Client, "/odata/Articles?$search=kvastfenomen&$count=true&$orderby=publishedAt desc&$top=5&$select=title");
        Assert.That((int?)odata["@odata.count"], Is.EqualTo(published));
        Assert.That(Strings(odata["value"], "title"), Is.EqualTo(Enumerable.Range(published - 5, 5).Reverse().Select(i => $"Kvastfenomen {i}")));
    }

    /// <summary>
    /// The newest hits are found where the probe of the newest documents expects them (the table analyzed, so that the
    /// bound is not every document), and beyond, when the word was common lately and then not for a while: 400 visible
    /// hits among the newest 2,000 documents (and newer drafts), none in the 3,000 before them, 200 older still.
    /// </summary>
    [TestCase(true)]
    [TestCase(false)]
    public async Task TheNewestHitsAreFoundWithinTheBoundTheProbeSetsAndBeyondIt(bool olderHits)
    {
        var newest = Enumerable.Range(0, SearchQuery.ProbeSize).Select(i => i % 5 == 0
            ? Text($"Kvastfenomen {i}", "Om kvastfenomen.", "Text.", 10_000 + i)
            : Text($"Annat {i}", "Om annat.", "Text.", 10_000 + i));
        var drafts = Enumerable.Range(0, 300).Select(i =>
            Text($"Kvastfenomen utkast {i}", "Om kvastfenomen.", "Text.", 20_000 + i, ContentStatus.Draft));
        var between = Enumerable.Range(0, 3_000).Select(i => Text($"Mellan {i}", "Om annat.", "Text.", 5_000 + i));
        var older = Enumerable.Range(0, olderHits ? 200 : 0).Select(i => Text($"Kvastfenomen äldre {i}", "Om kvastfenomen.", "Text.", i));
        await SaveAsync([.. newest, .. drafts, .. between, .. older]);
        await using (var scope = TestRun.Factory.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<ContentApi.Infrastructure.ContentDbContext>().Database
                .ExecuteSqlRawAsync("ANALYZE search_documents");

        var expected = Enumerable.Range(0, SearchQuery.ProbeSize).Where(i => i % 5 == 0).Reverse().Select(i => $"Kvastfenomen {i}")
            .Concat(Enumerable.Range(0, olderHits ? 200 : 0).Reverse().Select(i => $"Kvastfenomen äldre {i}"))
            .Take(SearchQuery.MaxCandidates).ToList();
        var found = new List<string?>();
        JsonNode answer;
        var page = 1;
        do
        {
            answer = await GetJson($"/api/search?q=kvastfenomen&pageSize=50&page={page++}");
            found.AddRange(Titles(answer));
        }
        while (answer["nextPage"] is not null);
        Assert.That((int?)answer["totalCount"], Is.EqualTo(expected.Count));
        Assert.That((bool?)answer["moreMatches"], Is.EqualTo(olderHits), "400 + 200 visible hits are more than 500; 400 alone are not");
        Assert.That(found, Is.EquivalentTo(expected), "the newest visible hits, older ones beyond the bound too");
    }

    [TestCaseSource(nameof(Hidden))]
    public async Task AHiddenArticleIsNotFoundCountedNorSuggestedButEditorsFindIt(ContentStatus status)
    {
        await SaveAsync(Text("Hemlighetsmakeri i hamnen", "Ett hemligt hamnprojekt.", "Hamnen byggs om.", status: status, tags: ["hemligt"]),
            Text("Öppen hamndag", "Välkommen till hamnen.", "Hamnen visas.", tags: ["hamnen"]));
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);

        var anonymous = await SearchFor("hamnen");
        Assert.That(Titles(anonymous), Is.EqualTo(new[] { "Öppen hamndag" }));
        Assert.That((int?)anonymous["totalCount"], Is.EqualTo(1));
        Assert.That(anonymous.ToJsonString(), Does.Not.Contain("hemlig").IgnoreCase);
        Assert.That(Titles(await SearchFor("hemlighetsmakeri")), Is.Empty);
        Assert.That(Titles(await SearchFor("hemlighetsmak")), Is.Empty);
        // "Did you mean" draws on what the caller may see only.
        Assert.That((await SearchFor("hemlighetsmakri"))["didYouMean"], Is.Null);

        Assert.That(Titles(await SearchFor("hemlighetsmakeri", editor)), Is.EqualTo(new[] { "Hemlighetsmakeri i hamnen" }));
        Assert.That((string?)(await SearchFor("hemlighetsmakri", editor))["didYouMean"], Is.EqualTo("hemlighetsmakeri"));
        Assert.That(Titles(await SearchFor("hamnen", editor)), Is.EquivalentTo(new[] { "Öppen hamndag", "Hemlighetsmakeri i hamnen" }));
    }

    [Test]
    public async Task APendingEditsSecretWordIsNotFoundAnonymouslyButEditorsFindIt()
    {
        var article = Text("Ny lekplats i parken", "Kommunen bygger en lekplats.", "Lekplatsen öppnar i maj.");
        await SaveAsync(article);
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var (patched, _) = await editor.SendJson(HttpMethod.Patch, $"/api/articles/{article.Id}",
            """{"title":"Ny lekplats i parken","body":[{"type":"Paragraph","text":"Leverantören heter Kvastfenomen och kostar mer."}]}""",
            ifMatch: "\"1\"", mediaType: "application/merge-patch+json");
        Assert.That(patched.IsSuccessStatusCode, await patched.Content.ReadAsStringAsync());

        foreach (var q in new[] { "kvastfenomen", "Kvastfenom", "kvastfenomen or lekplatsen", "kvastfenomn" })
        {
            var answer = await SearchFor(q);
            Assert.That(answer["items"]!.ToJsonString() + answer["didYouMean"]?.ToJsonString(), Does.Not.Contain("Kvastfenomen").IgnoreCase, q);
        }
        Assert.That(Titles(await SearchFor("kvastfenomen")), Is.Empty);
        var live = await SearchFor("lekplatsen");
        Assert.That(Titles(live), Is.EqualTo(new[] { "Ny lekplats i parken" }));
        Assert.That(live.ToJsonString(), Does.Not.Contain("Kvastfenomen"));

        var preview = await SearchFor("kvastfenomen", editor);
        Assert.That(Titles(preview), Is.EqualTo(new[] { "Ny lekplats i parken" }));
        Assert.That((string?)preview["items"]![0]!["snippet"], Does.Contain("<mark>Kvastfenomen</mark>"));
        // The editor sees the pending version: the live body's words are gone from it.
        Assert.That(Titles(await SearchFor("maj", editor)), Is.Empty);
    }

    [Test]
    public async Task ADraftPledgeIsNotFoundAnonymously()
    {
        await SaveAsync(Pledge(2025, ContentStatus.Draft));
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);

        var anonymous = await SearchFor("samverkansforum");
        Assert.That(anonymous["items"]!.AsArray(), Is.Empty);
        Assert.That(anonymous.ToJsonString(), Does.Not.Contain("2025"));
        Assert.That(Strings((await SearchFor("samverkansforum", editor))["items"], "type"), Is.EqualTo(new[] { "pledge" }));
    }

    [Test]
    public async Task AnEditorsSearchIsNeverStoredForAnonymousReaders()
    {
        await SaveAsync(Text("Utkast om badplatser", "Badplatser.", "Text.", status: ContentStatus.Draft));
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        Assert.That(Titles(await SearchFor("badplatser", editor)), Is.EqualTo(new[] { "Utkast om badplatser" }));
        Assert.That(Titles(await SearchFor("badplatser")), Is.Empty);
    }
}
