using System.Net;
using ContentApi.Api.OData;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.OData;

/// <summary>
/// The heaviest anonymous query stays bounded at every level (issue 14): a nested $top cannot raise an expanded page,
/// a preferred page size cannot either, and a third level of $expand is refused.
/// </summary>
public class ExpansionBoundsTests : ApiTest
{
    private const int Page = ContentQueryAttribute.ExpandedPageSize;

    [Test]
    public async Task EveryExpandedListIsAPageAtMostWhateverTopOrPreferAsks()
    {
        // More of everything than a page: contacts, each contact's articles, each article's contacts.
        var contacts = Enumerable.Range(0, Page + 2).Select(i => Contact($"Kontakt {i}")).ToList();
        var articles = Enumerable.Range(0, Page + 2).Select(i =>
        {
            var article = Article($"Artikel {i}", minutesAfterBase: i);
            article.Contacts = [.. contacts];
            return article;
        }).ToList();
        await SaveAsync([.. contacts, .. articles]);

        using var request = new HttpRequestMessage(HttpMethod.Get,
            "/odata/Contacts?$top=100&$expand=articles($top=100;$select=title;$expand=contacts($top=100;$select=name),heroPhoto,pledge)");
        request.Headers.TryAddWithoutValidation("Prefer", "odata.maxpagesize=100");
        using var response = await Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        var answer = System.Text.Json.Nodes.JsonNode.Parse(body)!;

        var top = answer["value"]!.AsArray();
        Assert.That(top, Has.Count.EqualTo(Page), "the answer");
        Assert.That((string?)answer["@odata.nextLink"], Is.Not.Null);
        foreach (var contact in top)
        {
            var expanded = contact!["articles"]!.AsArray();
            Assert.That(expanded, Has.Count.EqualTo(Page), "a contact's articles");
            Assert.That((string?)contact["articles@odata.nextLink"], Is.Not.Null);
            foreach (var article in expanded)
                Assert.That(article!["contacts"]!.AsArray(), Has.Count.EqualTo(Page), "an article's contacts, two levels down");
        }
    }

    [TestCase("/odata/Contacts?$expand=articles($expand=contacts($expand=articles))")]
    [TestCase("/odata/Articles?$expand=pledge($expand=articles($expand=contacts))")]
    [TestCase("/odata/Pledges?$expand=articles($expand=contacts($expand=articles))")]
    public async Task AThirdLevelOfExpandIsA400(string url) =>
        Assert.That(await GetProblem(url, HttpStatusCode.BadRequest), Does.Contain("too deep"));
}
