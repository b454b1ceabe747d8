using System.Net;
using System.Text.Json.Nodes;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Photos;

/// <summary>
/// A photo's original file and its renditions stream from disk past the caching middleware, so each says itself how
/// it may be cached: publicly for anonymous readers, privately for editors (who may see photos only drafts use).
/// </summary>
public class PhotoFileCachingTests : ApiTest
{
    private static async Task<(JsonNode Photo, HttpClient Editor)> UploadAsync(bool published)
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        using var response = await editor.PostAsync("/api/photos", PhotoUploads.Form(TestImages.Jpeg(800, 600)));
        var photo = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        if (published)
        {
            var article = Article("Med bild");
            article.HeroPhotoId = Guid.Parse((string)photo["id"]!);
            await SaveAsync(article);
        }
        return (photo, editor);
    }

    private static string FirstRendition(JsonNode photo) => (string)photo["renditions"]![0]!["url"]!;

    [Test]
    public async Task AnonymousReadersMayCacheTheFileForTheContentLifetimeAndRenditionsForever()
    {
        var (photo, _) = await UploadAsync(published: true);

        using var file = await Client.GetAsync((string)photo["url"]!);
        Assert.That(file.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        // Not immutable: PUT …/file replaces the picture at the same address.
        Assert.That(file.Headers.CacheControl?.ToString(), Is.EqualTo("public, max-age=60, stale-while-revalidate=300"));
        Assert.That(file.Headers.ETag?.Tag, Is.EqualTo($"\"{photo["sha256"]}\""));

        using var rendition = await Client.GetAsync(FirstRendition(photo));
        Assert.That(rendition.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(rendition.Headers.CacheControl?.ToString(), Is.EqualTo("public, max-age=31536000, immutable"));
    }

    [Test]
    public async Task EditorsGetTheFileAndRenditionsOfADraftOnlyPhotoPrivately()
    {
        var (photo, editor) = await UploadAsync(published: false);

        using var file = await editor.GetAsync((string)photo["url"]!);
        Assert.That(file.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(file.Headers.CacheControl?.Private, Is.True);
        Assert.That(file.Headers.CacheControl?.NoStore, Is.True);
        Assert.That(file.Headers.CacheControl?.Public, Is.False);

        using var rendition = await editor.GetAsync(FirstRendition(photo));
        Assert.That(rendition.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(rendition.Headers.CacheControl?.Private, Is.True);
        Assert.That(rendition.Headers.CacheControl?.Public, Is.False);

        await GetProblem((string)photo["url"]!, HttpStatusCode.NotFound);
    }
}
