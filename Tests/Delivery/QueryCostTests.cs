using System.Net;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;
using static ContentApi.Tests.Support.DeliverySupport;

namespace ContentApi.Tests.Delivery;

/// <summary>What a read that misses the store costs the database: a fixed small number of queries, and no blocked pool thread.</summary>
public class QueryCostTests : ApiTest
{
    [Test]
    public async Task ODataQueriesDoNotBlockThreadPoolThreads()
    {
        var photo = Photo();
        var article = Article("Nyhet", tags: "trafik");
        article.HeroPhotoId = photo.Id;
        article.Contacts = [Contact()];
        await SaveAsync(photo, article);
        var before = TestRun.Factory.Sql.BlockingPoolThreads;
        foreach (var url in new[]
        {
            "/odata/Articles?$filter=tags/any(t:t eq 'trafik')&$count=true&$select=title",
            "/odata/Articles?$expand=heroPhoto,contacts&$count=true&$top=1",
            $"/odata/Articles({article.Id})?$expand=contacts",
            "/odata/Pledges?$expand=articles($expand=contacts)&$count=true",
            "/odata/Photos", "/odata/Contacts?$count=true",
        })
            await GetJson(url);
        Assert.That(TestRun.Factory.Sql.BlockingPoolThreads, Is.EqualTo(before));
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
}
