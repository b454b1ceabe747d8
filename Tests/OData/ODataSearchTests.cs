using System.Net;
using System.Text.Json.Nodes;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Search.SearchTests;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.OData;

/// <summary>OData $search on Articles and Pledges: the search of /api/search as a filter of the set.</summary>
public class ODataSearchTests : ApiTest
{
    private static List<string?> ODataTitles(JsonNode json) => Strings(json["value"], "title");

    private static Task<JsonNode> ODataSearch(string search, string more = "", HttpClient? client = null) =>
        GetJson(client ?? Client, "/odata/Articles?$search=" + Uri.EscapeDataString(search) + more);

    [Test]
    public async Task SearchFindsInflectedFormsPhrasesAndUnaccentedWords()
    {
        await SaveAsync(
            Text("Trygghetsvandring i Norje", "Kommunen bjuder in.", "Polisen är med.", 1),
            Text("Tidig upptäckt i skolan", "Skolan samverkar.", "Om arbetet.", 2),
            Text("Möte i Mjällby", "Om vården.", "Text.", 3),
            Text("Förskola öppnar", "En ny förskola.", "Text.", 4));

        Assert.That(ODataTitles(await ODataSearch("trygghetsvandringar")), Is.EqualTo(new[] { "Trygghetsvandring i Norje" }));
        Assert.That(ODataTitles(await ODataSearch("\"tidig upptäckt\"")), Is.EqualTo(new[] { "Tidig upptäckt i skolan" }));
        Assert.That(ODataTitles(await ODataSearch("Mjallby")), Is.EqualTo(new[] { "Möte i Mjällby" }));
        Assert.That(ODataTitles(await ODataSearch("kommunen AND NOT polisen")), Is.Empty);
        Assert.That(ODataTitles(await ODataSearch("(skolan OR förskola) AND NOT mjällby", "&$orderby=title")),
            Is.EqualTo(new[] { "Förskola öppnar", "Tidig upptäckt i skolan" }));
        var counted = await ODataSearch("skolan OR förskola OR vård", "&$count=true&$filter=startswith(title,'M')&$select=title");
        Assert.That(ODataTitles(counted), Is.EqualTo(new[] { "Möte i Mjällby" }));
        Assert.That((int?)counted["@odata.count"], Is.EqualTo(1));
    }

    [Test]
    public async Task SearchShowsAnonymousReadersOnlyWhatIsPublished()
    {
        var article = Text("Ny lekplats", "Kommunen bygger.", "Lekplatsen öppnar.");
        await SaveAsync(article, Text("Hemlig lekplats", "Utkast.", "Lekplatsen planeras.", status: ContentStatus.Draft), Pledge(2024, ContentStatus.Draft));
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var (patched, _) = await editor.SendJson(HttpMethod.Patch, $"/api/articles/{article.Id}",
            """{"body":[{"type":"Paragraph","text":"Leverantören heter Kvastfenomen."}]}""", ifMatch: "\"1\"", mediaType: "application/merge-patch+json");
        Assert.That(patched.IsSuccessStatusCode, await patched.Content.ReadAsStringAsync());

        Assert.That(ODataTitles(await ODataSearch("lekplatsen")), Is.EqualTo(new[] { "Ny lekplats" }));
        Assert.That(ODataTitles(await ODataSearch("kvastfenomen")), Is.Empty);
        Assert.That((await GetJson("/odata/Pledges?$search=samverkansforum"))["value"]!.AsArray(), Is.Empty);

        Assert.That(ODataTitles(await ODataSearch("kvastfenomen", client: editor)), Is.EqualTo(new[] { "Ny lekplats" }));
        Assert.That(ODataTitles(await ODataSearch("hemlig", client: editor)), Is.EqualTo(new[] { "Hemlig lekplats" }));
        Assert.That((await GetJson(editor, "/odata/Pledges?$search=samverkansforum"))["value"]!.AsArray(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task TheCountOfASearchCountsItsMatchesNotEveryPublishedArticle()
    {
        await SaveAsync(Text("Ny lekplats", "Kommunen bygger.", "Lekplatsen öppnar."), Text("Trafik", "Om trafik.", "Text."),
            Text("Budget", "Om budgeten.", "Text."));
        var found = await ODataSearch("lekplatsen", "&$count=true");
        Assert.That((int?)found["@odata.count"], Is.EqualTo(1));
        var none = await ODataSearch("zzqxw", "&$count=true");
        Assert.That((int?)none["@odata.count"], Is.EqualTo(0));
        Assert.That(await Client.GetStringAsync("/odata/Articles/$count?$search=lekplatsen"), Is.EqualTo("1"));
    }

    [TestCase("/odata/Photos?$search=hamnen")]
    [TestCase("/odata/Contacts?$search=anna")]
    [TestCase("/odata/Articles?$search=")]
    [TestCase("/odata/Articles?$search=a AND")]
    [TestCase("/odata/Articles?$search=(a")]
    [TestCase("/odata/Articles?$search=a b c d e f g h i j k")]
    [TestCase("/odata/Articles?$search=\"\"")]
    [TestCase("/odata/Articles?$search='")]
    public async Task BadSearchesAreProblems(string url) => await GetProblem(url, HttpStatusCode.BadRequest);

    [Test]
    public async Task ALongSearchIsAProblem() =>
        await GetProblem("/odata/Articles?$search=" + new string('a', 201), HttpStatusCode.BadRequest);

    [TestCase("\"a:* | b\"")]
    [TestCase("och")]
    [TestCase("NOT och")]
    public async Task OddSearchesAreAnswered(string search)
    {
        await SaveAsync(Text("Trafik", "Om trafik.", "Text."));
        using var response = await Client.GetAsync("/odata/Articles?$search=" + Uri.EscapeDataString(search));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }
}
