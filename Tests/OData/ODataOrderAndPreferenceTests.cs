using System.Net;
using System.Text.Json.Nodes;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.OData;

/// <summary>Where OData's rules and PostgreSQL's differ: the order of nulls, and the preferences a client sends.</summary>
public class ODataOrderAndPreferenceTests : ApiTest
{
    private static List<string?> Titles(JsonNode json) => Strings(json["value"], "title");

    private static async Task<JsonNode> GetJson(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"GET {url} answered: {body}");
        return JsonNode.Parse(body)!;
    }

    [Test]
    public async Task EditorsSeeUndatedDraftsFirstAscendingAndLastDescending()
    {
        await SaveAsync(Article("Tidig", minutesAfterBase: 0), Article("Sen", minutesAfterBase: 60), Article("Utkast", ContentStatus.Draft));
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);

        Assert.That(Titles(await GetJson(editor, "/odata/Articles?$select=title&$orderby=publishedAt")),
            Is.EqualTo(new[] { "Utkast", "Tidig", "Sen" }));
        Assert.That(Titles(await GetJson(editor, "/odata/Articles?$select=title&$orderby=publishedAt desc")),
            Is.EqualTo(new[] { "Sen", "Tidig", "Utkast" }));
        // Anonymous readers see no undated article, and the same order of what they do see.
        Assert.That(Titles(await GetJson("/odata/Articles?$select=title&$orderby=publishedAt desc")), Is.EqualTo(new[] { "Sen", "Tidig" }));
    }

    [Test]
    public async Task NullTextsComeFirstAscendingAndLastDescendingAlsoInsideAnExpand()
    {
        var untitled = Contact("Utan titel");
        untitled.Title = null;
        var rektor = Contact("Rektor");
        rektor.Title = "rektor";
        var anna = Contact("Anna");
        var article = Article("Nyhet");
        article.Contacts = [untitled, rektor, anna];
        await SaveAsync(untitled, rektor, anna, article);

        Assert.That(Strings((await GetJson("/odata/Contacts?$orderby=title,name"))["value"], "name"),
            Is.EqualTo(new[] { "Utan titel", "Anna", "Rektor" }));
        Assert.That(Strings((await GetJson("/odata/Contacts?$orderby=title desc,name"))["value"], "name"),
            Is.EqualTo(new[] { "Rektor", "Anna", "Utan titel" }));
        var expanded = await GetJson("/odata/Articles?$select=title&$expand=contacts($select=name;$orderby=title desc)");
        Assert.That(Strings(expanded["value"]![0]!["contacts"], "name"), Is.EqualTo(new[] { "Rektor", "Anna", "Utan titel" }));
    }

    [Test]
    public async Task AMissingNavigationOrdersAsNull()
    {
        var pledge = Pledge(2024);
        var about = Article("Om löftet", minutesAfterBase: 0);
        about.PledgeId = pledge.Id;
        await SaveAsync(pledge, about, Article("Annat", minutesAfterBase: 10));

        Assert.That(Titles(await GetJson("/odata/Articles?$select=title&$orderby=pledge/year")), Is.EqualTo(new[] { "Annat", "Om löftet" }));
        Assert.That(Titles(await GetJson("/odata/Articles?$select=title&$orderby=pledge/year desc")), Is.EqualTo(new[] { "Om löftet", "Annat" }));
    }

    [TestCase("odata.maxpagesize=2", "odata.maxpagesize=2")]
    [TestCase("maxpagesize=2", "odata.maxpagesize=2")]
    [TestCase("odata.maxpagesize=500", "odata.maxpagesize=100")]
    public async Task AHonouredMaximumPageSizeIsAnsweredWithPreferenceApplied(string prefer, string applied)
    {
        await SaveAsync(Article("A", minutesAfterBase: 1), Article("B", minutesAfterBase: 2), Article("C", minutesAfterBase: 3));

        // Twice: the second answer comes from the server's store, headers and all.
        for (var i = 0; i < 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/odata/Articles?$select=title&$orderby=title");
            request.Headers.Add("Prefer", prefer);
            using var response = await Client.SendAsync(request);
            var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.That(response.Headers.TryGetValues("Preference-Applied", out var values) ? values : [], Is.EqualTo(new[] { applied }));
            Assert.That(Titles(json), Has.Count.EqualTo(applied.EndsWith("=2") ? 2 : 3));
        }
    }

    [Test]
    public async Task NoPreferenceAppliedWithoutAPreferenceOrForASingleEntity()
    {
        var article = Article("A");
        await SaveAsync(article);

        using var plain = await Client.GetAsync("/odata/Articles");
        Assert.That(plain.Headers.Contains("Preference-Applied"), Is.False);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/odata/Articles({article.Id})");
        request.Headers.Add("Prefer", "odata.maxpagesize=2");
        using var single = await Client.SendAsync(request);
        Assert.That(single.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(single.Headers.Contains("Preference-Applied"), Is.False);
    }
}
