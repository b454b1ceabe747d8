using System.Net;
using System.Net.Http.Headers;
using ContentApi.Api;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;
using static ContentApi.Tests.Support.DeliverySupport;

namespace ContentApi.Tests.Delivery;

/// <summary>Brotli and gzip as the client asks, for bodies worth it; the store keeps each coding apart.</summary>
public class CompressionTests : ApiTest
{
    [TestCase("br")]
    [TestCase("gzip")]
    public async Task JsonIsCompressed(string encoding)
    {
        await SaveAsync([.. Enumerable.Range(0, 20).Select(i => (object)Article($"Nyhet nummer {i}"))]);
        using var client = RawClient();
        foreach (var url in new[] { "/api/articles", "/odata/Articles" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(encoding));
            using var response = await client.SendAsync(request);
            Assert.That(response.Content.Headers.ContentEncoding, Is.EqualTo(new[] { encoding }), url);
        }
    }

    [Test]
    public async Task SmallBodiesAreNotCompressedAndSayTheirLength()
    {
        await SaveAsync(Article("Nyhet"));
        using var client = RawClient();
        for (var attempt = 0; attempt < 2; attempt++) // made by the endpoint, then from the output cache
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/odata/Articles?$select=title");
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("br"));
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.That(body, Has.Length.LessThan(1024));
            Assert.That(response.Content.Headers.ContentEncoding, Is.Empty);
            Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(body.Length));
        }
    }

    [TestCase("br")]
    [TestCase("gzip")]
    public async Task CompressedAnswersAreStoredCompressedAndOnlyServedToClientsThatAskedForThem(string encoding)
    {
        await SaveAsync([.. Enumerable.Range(0, 20).Select(i => (object)Article($"Nyhet nummer {i}"))]);
        using var client = RawClient();
        async Task<(HttpResponseMessage Response, byte[] Body)> GetAsync(string? acceptEncoding)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/articles");
            if (acceptEncoding is not null)
                request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(acceptEncoding));
            var response = await client.SendAsync(request);
            return (response, await response.Content.ReadAsByteArrayAsync());
        }

        var plain = await GetAsync(null);
        var made = await GetAsync(encoding);
        TestRun.Factory.Sql.Reset();
        var stored = await GetAsync(encoding);
        var plainAgain = await GetAsync(null);
        Assert.That(TestRun.Factory.Sql.Count, Is.Zero, "both answered from the store");
        Assert.That(stored.Response.CacheStatus(), Is.EqualTo(Hit));
        Assert.That(stored.Response.Content.Headers.ContentEncoding, Is.EqualTo(new[] { encoding }));
        Assert.That(stored.Body, Is.EqualTo(made.Body));
        Assert.That(stored.Response.Content.Headers.ContentLength, Is.EqualTo(stored.Body.Length));
        Assert.That(Decompress(stored.Body, encoding), Is.EqualTo(plain.Body));
        Assert.That(plainAgain.Response.Content.Headers.ContentEncoding, Is.Empty);
        Assert.That(plainAgain.Body, Is.EqualTo(plain.Body));
        // One strong ETag per representation, and each revalidates its own.
        Assert.That(stored.Response.Headers.ETag!.Tag, Is.EqualTo(plain.Response.Headers.ETag!.Tag[..^1] + "-" + encoding + "\""));
        Assert.That(made.Response.Headers.ETag, Is.EqualTo(stored.Response.Headers.ETag));
        using (var notModified = await client.SendAsync(IfNoneMatch("/api/articles", stored.Response.Headers.ETag!, encoding)))
            Assert.That(notModified.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
        Store.Evict(ContentFamily.Articles);
        using (var notModified = await client.SendAsync(IfNoneMatch("/api/articles", stored.Response.Headers.ETag!, encoding)))
            Assert.That(notModified.StatusCode, Is.EqualTo(HttpStatusCode.NotModified), "made again, not stored: the same ETag");
        foreach (var (response, _) in new[] { plain, made, stored, plainAgain })
            response.Dispose();
    }

    private static byte[] Decompress(byte[] body, string encoding)
    {
        using var input = new MemoryStream(body);
        using Stream decompressor = encoding == "br"
            ? new System.IO.Compression.BrotliStream(input, System.IO.Compression.CompressionMode.Decompress)
            : new System.IO.Compression.GZipStream(input, System.IO.Compression.CompressionMode.Decompress);
        using var output = new MemoryStream();
        decompressor.CopyTo(output);
        return output.ToArray();
    }
}
