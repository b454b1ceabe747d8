using System.Net;
using System.Net.Http.Headers;
using ContentApi.Api.Caching;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;
using static ContentApi.Tests.Support.DeliverySupport;
using static ContentApi.Tests.Support.PhotoUploads;

namespace ContentApi.Tests.Delivery;

/// <summary>The store over HTTP: what it answers, for whom, and what it does not keep (Api/Caching/ResponseStoreMiddleware).</summary>
public class StoredAnswerTests : ApiTest
{
    [Test]
    public async Task AStoredAnswerCostsNoSqlAndSaysItWasAHit()
    {
        await SaveAsync(Article("Nyhet"));
        using var first = await Client.GetAsync("/api/articles/by-slug/nyhet");
        Assert.That(first.CacheStatus(), Is.EqualTo(Stored));
        TestRun.Factory.Sql.Reset();
        using var second = await Client.GetAsync("/api/articles/by-slug/nyhet");
        Assert.That(second.CacheStatus(), Is.EqualTo(Hit));
        Assert.That(TestRun.Factory.Sql.Count, Is.Zero);
        Assert.That(await second.Content.ReadAsStringAsync(), Is.EqualTo(await first.Content.ReadAsStringAsync()));
        Assert.That(second.Content.Headers.ContentType?.ToString(), Is.EqualTo(first.Content.Headers.ContentType?.ToString()));
        Assert.That(second.Content.Headers.LastModified, Is.EqualTo(first.Content.Headers.LastModified));
        Assert.That(second.Headers.ETag, Is.EqualTo(first.Headers.ETag));
        Assert.That(second.Headers.CacheControl, Is.EqualTo(first.Headers.CacheControl));
        Assert.That(second.Headers.Vary, Is.EquivalentTo(first.Headers.Vary));
        // No Age: what the store holds is current (it is evicted on change), so a CDN may keep it for the whole max-age.
        Assert.That(second.Headers.Age, Is.Null);

        using var head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/articles/by-slug/nyhet"));
        Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(head.Content.Headers.ContentLength, Is.EqualTo((await first.Content.ReadAsByteArrayAsync()).Length));
        Assert.That(await head.Content.ReadAsByteArrayAsync(), Is.Empty);
    }

    [Test]
    public async Task HeadIsAnsweredAsTheGetItStandsForWhetherStoredOrNot()
    {
        await SaveAsync(Article("Nyhet"));
        foreach (var url in new[] { "/api/articles/by-slug/nyhet", "/odata/Articles?$select=title" })
        {
            for (var round = 0; round < 2; round++) // made, then from the store
            {
                using var head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
                Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{url}, round {round}");
                Assert.That(await head.Content.ReadAsByteArrayAsync(), Is.Empty);
                Assert.That(head.CacheStatus(), Is.EqualTo(round == 0 ? Stored : Hit));
                using var get = await Client.GetAsync(url);
                Assert.That(head.Content.Headers.ContentLength, Is.EqualTo((await get.Content.ReadAsByteArrayAsync()).Length), url);
                Assert.That(head.Headers.ETag, Is.EqualTo(get.Headers.ETag), url);
            }
        }
    }

    [Test]
    public async Task ManySimultaneousRequestsForAMissingAnswerMakeItOnce()
    {
        await SaveAsync(Article("Nyhet"));
        // What one making of the answer costs.
        TestRun.Factory.Sql.Reset();
        await Client.GetStringAsync("/api/articles/by-slug/nyhet");
        var once = TestRun.Factory.Sql.Count;
        Assert.That(once, Is.GreaterThan(0));

        ForgetStoredAnswers();
        TestRun.Factory.Sql.Reset();
        var answers = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => Client.GetStringAsync("/api/articles/by-slug/nyhet")));
        Assert.That(answers.Distinct().Count(), Is.EqualTo(1));
        Assert.That(TestRun.Factory.Sql.Count, Is.EqualTo(once), "24 simultaneous requests made the answer once");
    }

    [Test]
    public async Task ODataAnswersAreKeptApartByTheVersionAndPreferencesOfTheClient()
    {
        await SaveAsync(Article("Första"), Article("Andra", minutesAfterBase: 1));
        const string url = "/odata/Articles?$select=title&$count=true";
        async Task<string> GetAsync(string? maxVersion, string? prefer)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (maxVersion is not null)
                request.Headers.Add("OData-MaxVersion", maxVersion);
            if (prefer is not null)
                request.Headers.Add("Prefer", prefer);
            using var response = await Client.SendAsync(request);
            Assert.That(response.Headers.Vary, Is.SupersetOf(new[] { "Accept-Encoding", "Accept", "OData-MaxVersion", "Prefer" }));
            return await response.Content.ReadAsStringAsync();
        }

        for (var round = 0; round < 2; round++) // made, then from the store
        {
            Assert.That(await GetAsync(null, null), Does.Contain("\"@odata.count\":2").And.Not.Contain("nextLink"));
            Assert.That(await GetAsync("4.01", null), Does.Contain("\"@count\":2"));
            Assert.That(await GetAsync("4.0", "odata.maxpagesize=1"), Does.Contain("\"@odata.nextLink\""));
        }
    }

    [Test]
    public async Task AnAnswerMadeForAnotherHostOrCharsetNeverGoesToOtherClients()
    {
        await SaveAsync(Article("Nyhet"));
        const string url = "/odata/Articles?$select=title";
        using (var forged = new HttpRequestMessage(HttpMethod.Get, url))
        {
            forged.Headers.Host = "evil.example";
            using var response = await Client.SendAsync(forged);
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("evil.example"), "OData writes absolute links from the Host header");
        }
        using (var utf16 = new HttpRequestMessage(HttpMethod.Get, url))
        {
            utf16.Headers.AcceptCharset.Add(new StringWithQualityHeaderValue("utf-16"));
            using var response = await Client.SendAsync(utf16);
            Assert.That(response.Content.Headers.ContentType?.CharSet, Is.EqualTo("utf-16"));
            Assert.That(response.Headers.Vary, Does.Contain("Accept-Charset"));
        }
        for (var round = 0; round < 2; round++) // made, then from the store
        {
            using var plain = await Client.GetAsync(url);
            Assert.That(plain.Content.Headers.ContentType?.CharSet, Is.EqualTo("utf-8"));
            var json = await plain.Content.ReadAsStringAsync();
            Assert.That(json, Does.Contain($"\"@odata.context\":\"{Client.BaseAddress}odata/$metadata"));
            Assert.That(json, Does.Not.Contain("evil.example"));
        }
    }

    [Test]
    public async Task RenditionsAreAnsweredFromTheStore()
    {
        var (_, photo) = await PublishedArticleWithUploadedPhotoAsync(TestImages.Jpeg(800, 600));
        var url = RenditionUrl(photo);
        var made = await Client.GetByteArrayAsync(url);
        TestRun.Factory.Sql.Reset();
        using var stored = await Client.GetAsync(url);
        Assert.That(stored.CacheStatus(), Is.EqualTo(Hit));
        Assert.That(TestRun.Factory.Sql.Count, Is.Zero);
        Assert.That(stored.Headers.CacheControl?.ToString(), Is.EqualTo("public, max-age=31536000, immutable"));
        Assert.That(stored.Content.Headers.ContentType?.MediaType, Is.EqualTo("image/webp"));
        Assert.That(await stored.Content.ReadAsByteArrayAsync(), Is.EqualTo(made));

    }

    [Test]
    public async Task AFileTooBigToKeepIsSentWholeEveryTime()
    {
        var original = TestImages.NoisyJpeg(1600, 1200);
        Assert.That(original, Has.Length.GreaterThan(ResponseStore.MaxBodyBytes), "the test needs a file larger than the store keeps");
        var (_, photo) = await PublishedArticleWithUploadedPhotoAsync(original);
        var stored = await StoredFile(Guid.Parse((string)photo["id"]!));
        Assert.That(stored, Has.Length.GreaterThan(ResponseStore.MaxBodyBytes));
        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var response = await Client.GetAsync($"/api/photos/{photo["id"]}/file");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.CacheStatus(), Is.Null, "not from the store");
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(stored));
        }
    }
}
