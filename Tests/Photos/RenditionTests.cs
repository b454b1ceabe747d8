using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ContentApi.Api.Photos;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Photos;

public class RenditionTests : ApiTest
{
    /// <summary>Uploads a picture and publishes an article that shows it, so anonymous readers may see it.</summary>
    private static async Task<JsonNode> PublishedPhotoAsync(int width = 1000, int height = 800)
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var response = await editor.PostAsync("/api/photos", PhotoUploads.Form(TestImages.Jpeg(width, height)));
        var photo = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var article = Article("Med bild");
        article.HeroPhotoId = Guid.Parse((string)photo["id"]!);
        await SaveAsync(article);
        return photo;
    }

    private static string RenditionUrl(JsonNode photo, int width, string format) =>
        (string)photo["renditions"]!.AsArray().Single(r => (int?)r!["width"] == width && (string?)r["format"] == format)!["url"]!;

    [Test]
    public async Task PhotoJsonListsRenditionsNoWiderThanTheOriginalWithReadySrcsets()
    {
        var photo = await PublishedPhotoAsync(1000, 800);
        var widths = photo["renditions"]!.AsArray().Select(r => (int)r!["width"]!).Distinct().ToList();
        Assert.That(widths, Is.EqualTo(new[] { 160, 320, 480, 640, 960 }));
        Assert.That((string?)photo["srcsetWebp"], Does.StartWith("/api/photos/").And.Contain(".webp 160w, ").And.EndWith(".webp 960w"));
        Assert.That((string?)photo["srcsetJpeg"], Does.Contain(".jpg 320w"));
        var listed = (await GetJson("/api/articles"))["items"]![0]!["heroPhoto"]!;
        Assert.That((string?)listed["srcsetWebp"], Is.EqualTo((string?)photo["srcsetWebp"]));
    }

    [TestCase("webp", "image/webp")]
    [TestCase("jpg", "image/jpeg")]
    public async Task RenditionIsResizedAndCachedForeverWithAnETag(string format, string mediaType)
    {
        var photo = await PublishedPhotoAsync();
        using var response = await Client.GetAsync(RenditionUrl(photo, 480, format));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(mediaType));
        Assert.That(response.Headers.CacheControl?.ToString(), Is.EqualTo("public, max-age=31536000, immutable"));
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.That(TestImages.Size(bytes), Is.EqualTo((480, 384)));

        using var again = new HttpRequestMessage(HttpMethod.Get, RenditionUrl(photo, 480, format));
        again.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        using var notModified = await Client.SendAsync(again);
        Assert.That(notModified.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
        Assert.That(await notModified.Content.ReadAsByteArrayAsync(), Is.Empty);
    }

    [Test]
    public async Task CropToARatioAroundTheFocalPoint()
    {
        var photo = await PublishedPhotoAsync(1000, 500);
        var bytes = await Client.GetByteArrayAsync(RenditionUrl(photo, 320, "jpg") + "?ratio=1x1");
        Assert.That(TestImages.Size(bytes), Is.EqualTo((320, 320)));
    }

    [Test]
    public async Task ManyConcurrentRequestsForAMissingRenditionMakeItOnce()
    {
        var photo = await PublishedPhotoAsync(2000, 1500);
        var url = RenditionUrl(photo, 1280, "webp");
        var before = RenditionEndpoints.GeneratedCount;
        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Client.GetAsync(url)));
        Assert.That(responses.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.OK));
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsByteArrayAsync()));
        Assert.That(bodies.Select(b => b.Length).Distinct().Count(), Is.EqualTo(1));
        Assert.That(RenditionEndpoints.GeneratedCount - before, Is.EqualTo(1));
    }

    [Test]
    public async Task AChangedFocalPointGivesNewAddressesAndOldOnesRedirect()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var photo = await PublishedPhotoAsync();
        var oldUrl = RenditionUrl(photo, 320, "webp");
        var (_, changed) = await editor.SendJson(HttpMethod.Put, $"/api/photos/{photo["id"]}",
            new { altText = (string)photo["altText"]!, decorative = false, focalX = 0.2, focalY = 0.3 }, ifMatch: "\"1\"");
        var newUrl = RenditionUrl(changed!, 320, "webp");
        Assert.That(newUrl, Is.Not.EqualTo(oldUrl));

        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = Client.BaseAddress };
        using var old = await noRedirects.GetAsync(oldUrl);
        Assert.That(old.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(old.Headers.Location?.ToString(), Is.EqualTo(newUrl));
    }

    [TestCase(1280, "webp")]
    [TestCase(500, "webp")]
    [TestCase(320, "gif")]
    public async Task UnofferedWidthsAndFormatsAre400(int width, string format)
    {
        var photo = await PublishedPhotoAsync(1000, 800);
        var url = RenditionUrl(photo, 320, "webp").Replace("/320.webp", $"/{width}.{format}");
        await GetProblem(url, HttpStatusCode.BadRequest);
        await GetProblem(RenditionUrl(photo, 320, "webp") + "?ratio=0x9", HttpStatusCode.BadRequest);
        // 320 px wide at 1:60 would be 19 200 px high, more than a WebP can hold.
        Assert.That(await GetProblem(RenditionUrl(photo, 320, "webp") + "?ratio=1x60", HttpStatusCode.BadRequest), Does.Contain("19200 px high"));
    }

    [Test]
    public async Task RenditionsOfAPhotoOnlyDraftsUseAreNotServedToAnonymousReaders()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var response = await editor.PostAsync("/api/photos", PhotoUploads.Form(TestImages.Jpeg(400, 300)));
        var photo = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        await GetProblem(RenditionUrl(photo, 320, "webp"), HttpStatusCode.NotFound);
        using var preview = await editor.GetAsync(RenditionUrl(photo, 320, "webp"));
        Assert.That(preview.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(preview.Headers.CacheControl?.Private, Is.True);
    }
}
