using System.Net;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;
using static ContentApi.Tests.Support.DeliverySupport;

namespace ContentApi.Tests.Hosting;

public class WarmupTests : ApiTest
{
    /// <summary>
    /// A fresh server reads one of each kind of page from itself before it says it is ready, and nothing it read that
    /// way is served from the store to a reader.
    /// </summary>
    [Test]
    public async Task AFreshServerIsReadyOnlyAfterReadingItsOwnPagesAndServesNoneOfThemFromTheStore()
    {
        var article = Article("Uppvärmning", tags: "trafik");
        await SaveAsync(article);

        await using var fresh = new ContentApiFactory(TestRun.ConnectionString, TestRun.PhotoFolder, warmup: true);
        fresh.UseKestrel(0);
        using var client = fresh.CreateClient();
        var ready = HttpStatusCode.ServiceUnavailable;
        for (var attempt = 0; attempt < 300 && ready != HttpStatusCode.OK; attempt++)
        {
            ready = (await client.GetAsync("/health/ready")).StatusCode;
            if (ready != HttpStatusCode.OK)
                await Task.Delay(100);
        }
        Assert.That(ready, Is.EqualTo(HttpStatusCode.OK));
        // By id, by slug, two lists, the pledge, four OData queries: each read the database at least once.
        Assert.That(fresh.Sql.Count, Is.GreaterThanOrEqualTo(9), "the warm-up read its own pages before readiness");

        using var response = await client.GetAsync($"/api/articles/{article.Id}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.CacheStatus(), Does.Contain("miss"), "the warm-up's answers are stored under a Host of their own");
    }
}
