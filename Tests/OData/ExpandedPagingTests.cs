using System.Net;
using System.Text.Json.Nodes;
using ContentApi.Api.OData;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.OData;

/// <summary>
/// An expanded list (a contact's or a pledge's articles) is paged, and so is the answer that expands it: the heaviest
/// anonymous query stays a bounded answer, and each list's nextLink leads to the rest.
/// </summary>
public class ExpandedPagingTests : ApiTest
{
    private const int Page = ContentQueryAttribute.ExpandedPageSize;

    [Test]
    public async Task AContactsArticlesComeAPageAtATimeAndTheirNextLinksLeadToTheRestAndNoDraft()
    {
        var contact = Contact();
        var entities = new List<object> { contact };
        for (var i = 0; i < Page * 2 + 5; i++)
        {
            var article = Article($"Artikel {i}", minutesAfterBase: i);
            article.Contacts = [contact];
            entities.Add(article);
        }
        var draft = Article("Utkast med kontakt", ContentStatus.Draft);
        draft.Contacts = [contact];
        entities.Add(draft);
        await SaveAsync([.. entities]);

        var answer = await GetJson($"/odata/Contacts({contact.Id})?$expand=articles($select=title)");
        var titles = Strings(answer["articles"], "title");
        Assert.That(titles, Has.Count.EqualTo(Page));
        var next = (string?)answer["articles@odata.nextLink"];
        Assert.That(next, Is.Not.Null, "an expanded list that was cut says where the rest is");

        var pages = 1;
        while (next is not null)
        {
            var page = await GetJson(next);
            titles.AddRange(Strings(page["value"], "title"));
            next = (string?)page["@odata.nextLink"];
            Assert.That(++pages, Is.LessThan(10));
        }
        Assert.That(titles, Is.Unique);
        Assert.That(titles, Has.Count.EqualTo(Page * 2 + 5));
        Assert.That(titles, Does.Not.Contain(draft.Title));
    }

    [Test]
    public async Task AnAnswerThatExpandsAListHasAtMostAPageOfItemsEachWithAtMostAPageOfArticles()
    {
        var entities = new List<object>();
        for (var c = 0; c < Page + 3; c++)
        {
            var contact = Contact($"Kontakt {c}");
            entities.Add(contact);
            for (var i = 0; i < 2; i++)
            {
                var article = Article($"Artikel {c}-{i}", minutesAfterBase: c * 10 + i);
                article.Contacts = [contact];
                entities.Add(article);
            }
        }
        await SaveAsync([.. entities]);

        var answer = await GetJson("/odata/Contacts?$expand=articles($expand=contacts)");
        Assert.That(answer["value"]!.AsArray(), Has.Count.EqualTo(Page));
        Assert.That((string?)answer["@odata.nextLink"], Is.Not.Null);
        // Without a list to expand, a page is the usual 100.
        var plain = await GetJson("/odata/Contacts");
        Assert.That(plain["value"]!.AsArray(), Has.Count.EqualTo(Page + 3));
    }

    [Test]
    public async Task APreferredPageSizeLargerThanAnExpandedPageIsAppliedAsThePageThatWasServed()
    {
        var contact = Contact();
        var entities = new List<object> { contact };
        for (var i = 0; i < Page + 1; i++)
        {
            var article = Article($"Artikel {i}", minutesAfterBase: i);
            article.Contacts = [contact];
            entities.Add(article);
        }
        await SaveAsync([.. entities]);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/odata/Contacts?$expand=articles");
        request.Headers.Add("Prefer", "odata.maxpagesize=50");
        using var response = await Client.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Headers.GetValues("Preference-Applied"), Is.EqualTo(new[] { $"odata.maxpagesize={Page}" }));
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.That(answer["value"]![0]!["articles"]!.AsArray(), Has.Count.EqualTo(Page));
    }

    [Test]
    public async Task APledgesArticlesHaveAnAddressAndAnUnseenPledgeOrContactIsNotFound()
    {
        var pledge = Pledge(2024);
        var draftPledge = Pledge(2025, ContentStatus.Draft);
        var article = Article("Om löftet");
        article.PledgeId = pledge.Id;
        await SaveAsync(pledge, draftPledge, article);

        var answer = await GetJson($"/odata/Pledges({pledge.Id})/articles?$select=title&$count=true");
        Assert.That(Strings(answer["value"], "title"), Is.EqualTo(new[] { "Om löftet" }));
        Assert.That((int?)answer["@odata.count"], Is.EqualTo(1));
        await GetProblem($"/odata/Pledges({draftPledge.Id})/articles", HttpStatusCode.NotFound);
        await GetProblem($"/odata/Contacts/{Guid.NewGuid()}/articles", HttpStatusCode.NotFound);
    }
}
