using System.Net;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;
using static ContentApi.Tests.Support.DeliverySupport;

namespace ContentApi.Tests.Delivery;

/// <summary>What a read that misses the store costs the database: a fixed small number of queries, and no blocked thread.</summary>
public class QueryCostTests : ApiTest
{
    [Test]
    public async Task ODataQueriesAndCountsRunAsynchronously()
    {
        var photo = Photo();
        var article = Article("Nyhet", tags: "trafik");
        var contact = Contact();
        article.HeroPhotoId = photo.Id;
        article.Contacts = [contact];
        await SaveAsync(photo, contact, article);
        var before = TestRun.Factory.Sql.Synchronous;
        foreach (var url in new[]
        {
            "/odata/Articles?$expand=heroPhoto,contacts&$count=true&$top=1",
            "/odata/Pledges?$expand=articles($expand=contacts)&$count=true",
            "/odata/Photos", "/odata/Contacts?$count=true", $"/odata/Contacts({contact.Id})/articles",
        })
            await GetJson(url);
        // What was read asynchronously is what OData answers: the page, its count, one entity, the count alone.
        var tagged = await GetJson("/odata/Articles?$filter=tags/any(t:t eq 'trafik')&$count=true&$select=title");
        Assert.That((long?)tagged["@odata.count"], Is.EqualTo(1));
        Assert.That((string?)tagged["value"]![0]!["title"], Is.EqualTo("Nyhet"));
        var one = await GetJson($"/odata/Articles({article.Id})?$expand=contacts");
        Assert.That((string?)one["title"], Is.EqualTo("Nyhet"));
        Assert.That(one["contacts"]!.AsArray(), Has.Count.EqualTo(1));
        Assert.That((long)await GetJson("/odata/Articles/$count"), Is.EqualTo(1));
        Assert.That(TestRun.Factory.Sql.Synchronous, Is.EqualTo(before));
    }

    [Test]
    public async Task AListOfTwentyArticlesWithPhotosAndContactsCostsAFixedSmallNumberOfQueries()
    {
        var entities = new List<object>();
        for (var i = 0; i < 25; i++)
        {
            var photo = Photo();
            var contact = Contact($"Kontakt {i}");
            var article = Article($"Artikel {i}", minutesAfterBase: i);
            article.HeroPhotoId = photo.Id;
            article.Contacts = [contact];
            entities.AddRange([photo, contact, article]);
        }
        await SaveAsync([.. entities]);

        foreach (var (url, most) in new[]
        {
            ("/api/articles?pageSize=20", 2),
            ("/api/articles/by-slug/artikel-3", 2),
            ("/odata/Articles?$top=20&$expand=heroPhoto,contacts&$count=true", 2),
            ("/odata/Pledges?$expand=articles($expand=contacts)", 1),
        })
        {
            ForgetStoredAnswers();
            TestRun.Factory.Sql.Reset();
            using var response = await Client.GetAsync(url);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), url);
            Assert.That(TestRun.Factory.Sql.Count, Is.InRange(1, most), $"{url} issued {TestRun.Factory.Sql.Count} SQL commands");
        }
    }

    [Test]
    public async Task AnArticlesContactsAreReadWithoutNumberingTheLinkTableAndStillPaged()
    {
        var contacts = Enumerable.Range(0, 101).Select(i => Contact($"Kontakt {i:000}")).ToList();
        var article = Article("Många kontakter");
        article.Contacts = contacts;
        await SaveAsync([.. contacts, article]);

        ForgetStoredAnswers();
        var page = await GetJson("/odata/Articles?$expand=contacts($select=name)&$select=title");
        var expanded = page["value"]![0]!;
        // OData writes a page of them (an expanded list's, 20) and a link to the rest, as for any collection.
        Assert.That(expanded["contacts"]!.AsArray(), Has.Count.EqualTo(20));
        Assert.That((string?)expanded["contacts@odata.nextLink"], Is.Not.Null);
        // PostgreSQL numbers the rows of a nested page over the whole link table (ROW_NUMBER() OVER (PARTITION BY …))
        // before it joins the page: an article's contacts are few, so they are read whole and cut in memory.
        Assert.That(TestRun.Factory.Sql.LastQuery, Does.Contain("article_contacts").And.Not.Contain("ROW_NUMBER"));
    }
}
