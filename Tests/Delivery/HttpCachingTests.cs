using System.Net;
using System.Net.Http.Headers;
using ContentApi.Api;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using Microsoft.AspNetCore.Http;
using static ContentApi.Tests.Support.ContentBuilder;
using static ContentApi.Tests.Support.DeliverySupport;

namespace ContentApi.Tests.Delivery;

/// <summary>Anonymous reads carry a strong ETag, a public Cache-Control and Vary, and are revalidated with 304; reads with credentials and errors are never cached.</summary>
public class HttpCachingTests : ApiTest
{
    [TestCase("/api/articles")]
    [TestCase("/api/articles/by-slug/nyhet")]
    [TestCase("/api/pledges/current")]
    [TestCase("/odata/Articles?$select=title")]
    [TestCase("/odata/$metadata")]
    public async Task AnonymousReadsHaveAStrongETagAPublicCacheControlAndAnswer304WhenCurrent(string url)
    {
        await SaveAsync(Article("Nyhet"), Pledge(2024));
        using var first = await Client.GetAsync(url);
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(first.Headers.ETag, Is.Not.Null);
        Assert.That(first.Headers.ETag!.IsWeak, Is.False);
        Assert.That(first.Headers.CacheControl?.ToString(), Is.EqualTo("public, max-age=60, stale-while-revalidate=300"));
        Assert.That(first.Headers.Vary, Does.Contain("Accept-Encoding"));

        using var revalidate = IfNoneMatch(url, first.Headers.ETag!);
        using var second = await Client.SendAsync(revalidate);
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
        Assert.That(await second.Content.ReadAsByteArrayAsync(), Is.Empty);

        using var stale = IfNoneMatch(url, new EntityTagHeaderValue("\"0000\""));
        Assert.That((await Client.SendAsync(stale)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [TestCase("/api/articles/by-slug/nyhet")]
    [TestCase("/odata/Articles?$select=title")]
    public async Task ARevalidationAfterTheCacheLostAnAnswerStoresItAgain(string url)
    {
        await SaveAsync(Article("Nyhet"));
        using var first = await Client.GetAsync(url);
        var etag = first.Headers.ETag!;
        Assert.That(first.CacheStatus(), Is.EqualTo(Stored));
        using (var cached = await Client.GetAsync(url))
            Assert.That(cached.CacheStatus(), Is.EqualTo(Hit));
        // The entry is gone (evicted for room, expired, or the server restarted) while browsers still hold the ETag.
        Store.Evict(ContentRoutes.FamilyOf(new PathString(url.Split('?')[0])));

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            TestRun.Factory.Sql.Reset();
            using var revalidate = IfNoneMatch(url, etag);
            using var response = await Client.SendAsync(revalidate);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotModified), $"attempt {attempt}");
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.Empty);
            Assert.That(response.Headers.ETag, Is.EqualTo(etag));
            Assert.That(response.Headers.CacheControl?.Public, Is.True);
            // The first revalidation runs the query once and stores the full answer; the ones after it cost nothing.
            Assert.That(TestRun.Factory.Sql.Count, attempt == 1 ? Is.GreaterThan(0) : Is.Zero, $"SQL commands of attempt {attempt}");
        }

        using var again = await Client.GetAsync(url);
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(again.CacheStatus(), Is.EqualTo(Hit), "answered from the store");
        Assert.That(again.Headers.ETag, Is.EqualTo(etag));
        Assert.That(await again.Content.ReadAsStringAsync(), Is.EqualTo(await first.Content.ReadAsStringAsync()));
    }

    [Test]
    public async Task ArticleHasLastModifiedFromItsUpdatedAt()
    {
        await SaveAsync(Article("Nyhet"));
        using var response = await Client.GetAsync("/api/articles/by-slug/nyhet");
        Assert.That(response.Content.Headers.LastModified, Is.EqualTo(new DateTimeOffset(2024, 3, 1, 8, 0, 0, TimeSpan.Zero)));
    }

    [Test]
    public async Task IfModifiedSinceNoEarlierThanLastModifiedAnswers304()
    {
        await SaveAsync(Article("Nyhet"));
        const string url = "/api/articles/by-slug/nyhet";
        using var first = await Client.GetAsync(url);
        var lastModified = first.Content.Headers.LastModified!.Value;
        async Task<HttpStatusCode> SinceAsync(DateTimeOffset since)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.IfModifiedSince = since;
            using var response = await Client.SendAsync(request);
            Assert.That(response.Headers.ETag, Is.EqualTo(first.Headers.ETag));
            return response.StatusCode;
        }

        for (var round = 0; round < 2; round++) // made (the store lost it), then from the store
        {
            if (round == 0)
                Store.Clear();
            Assert.That(await SinceAsync(lastModified), Is.EqualTo(HttpStatusCode.NotModified), $"equal, round {round}");
            Assert.That(await SinceAsync(lastModified.AddHours(1)), Is.EqualTo(HttpStatusCode.NotModified), $"later, round {round}");
            Assert.That(await SinceAsync(lastModified.AddSeconds(-1)), Is.EqualTo(HttpStatusCode.OK), $"earlier, round {round}");
        }
        // If-None-Match decides when both are sent (RFC 9110, 13.1.3).
        using var stale = IfNoneMatch(url, new EntityTagHeaderValue("\"0000\""));
        stale.Headers.IfModifiedSince = lastModified;
        using var answer = await Client.SendAsync(stale);
        Assert.That(answer.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task AuthenticatedReadsArePrivateAndNeverServedToAnonymousReaders()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        await SaveAsync(Article("Hemlig", ContentStatus.Draft));
        using var preview = await editor.GetAsync("/api/articles/by-slug/hemlig");
        Assert.That(preview.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(preview.Headers.CacheControl?.Private, Is.True);
        Assert.That(preview.Headers.CacheControl?.NoStore, Is.True);
        await GetProblem("/api/articles/by-slug/hemlig", HttpStatusCode.NotFound);
        using var editorOData = await editor.GetAsync("/odata/Articles");
        Assert.That((await GetJson("/odata/Articles"))["value"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task ErrorsAreNotCached()
    {
        using var missing = await Client.GetAsync("/api/articles/by-slug/kommer-snart");
        Assert.That(missing.Headers.CacheControl?.NoStore, Is.True);
        await SaveAsync(Article("Kommer snart"));
        await GetJson("/api/articles/by-slug/kommer-snart");
    }

    [Test]
    public async Task AnEditorsCurrentCopyIsAnswered304Too()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        await SaveAsync(Article("Utkast", ContentStatus.Draft));
        using var first = await editor.GetAsync("/api/articles/by-slug/utkast");
        Assert.That(first.Headers.ETag, Is.Not.Null);
        using var again = IfNoneMatch("/api/articles/by-slug/utkast", first.Headers.ETag!);
        using var response = await editor.SendAsync(again);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
        Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
        Assert.That(response.CacheStatus(), Is.Null, "an editor's answer never goes through the store");
    }
}
