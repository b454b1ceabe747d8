using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.PhotoUploads;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ContentApi.Tests.Photos;

public class UploadTests : ApiTest
{
    public static async Task<(HttpResponseMessage Response, JsonNode? Json)> Upload(HttpClient client, HttpContent content)
    {
        var response = await client.PostAsync("/api/photos", content);
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.StartsWith('{') ? JsonNode.Parse(text) : null);
    }

    [Test]
    public async Task PhonePhotoIsStoredUprightWithoutGpsCameraOrAnyOtherMetadata()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var phone = TestImages.PhoneJpegWithGps(800, 600);
        Assert.That(TestImages.Fields(phone), Does.Contain("exif-data"), "the test photo does carry EXIF");

        var (response, json) = await Upload(editor, Form(phone));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), json?.ToJsonString());
        Assert.That((int?)json!["width"], Is.EqualTo(600), "orientation 6 is applied to the pixels");
        Assert.That((int?)json["height"], Is.EqualTo(800));
        Assert.That((string?)json["mediaType"], Is.EqualTo("image/jpeg"));
        Assert.That((string?)json["altText"], Is.EqualTo(Alt));
        Assert.That((string?)json["dominantColor"], Does.Match("^#[0-9a-f]{6}$"));
        Assert.That((string?)json["sha256"], Has.Length.EqualTo(64));

        var stored = await StoredFile(Guid.Parse((string)json["id"]!));
        AssertNoMetadata(stored);

        // And neither does a rendition made from it.
        var rendition = (string)json["renditions"]!.AsArray().First(r => (string?)r!["format"] == "jpg")!["url"]!;
        var renditionBytes = await editor.GetByteArrayAsync(rendition);
        AssertNoMetadata(renditionBytes);
    }

    private static void AssertNoMetadata(byte[] file)
    {
        var fields = TestImages.Fields(file);
        Assert.That(fields.Where(f => f.StartsWith("exif") || f.StartsWith("xmp") || f.StartsWith("iptc") || f == "orientation"), Is.Empty,
            string.Join(", ", fields));
        var text = Encoding.ASCII.GetString(file);
        Assert.That(text, Does.Not.Contain("Exif").And.Not.Contain(TestImages.CameraMake));
    }

    [TestCase("png")]
    [TestCase("webp")]
    public async Task PngAndWebPAreAcceptedByTheirBytesWhateverTheirName(string format)
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var bytes = format == "png" ? TestImages.Png(300, 200) : TestImages.WebP(300, 200);
        var (response, json) = await Upload(editor, Form(bytes, fileName: "bild.jpg", contentType: "image/jpeg"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), json?.ToJsonString());
        Assert.That((string?)json!["mediaType"], Is.EqualTo($"image/{format}"));
    }

    [Test]
    public async Task AltTextIsRequiredUnlessDecorativeAndMayNotBeTheFileName()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var jpeg = TestImages.Jpeg();
        Assert.That((await Upload(editor, Form(jpeg, altText: null))).Response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var (named, json) = await Upload(editor, Form(jpeg, fileName: "IMG_2044.jpg", altText: "IMG_2044.jpg"));
        Assert.That(named.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(json!["errors"]!["altText"], Is.Not.Null);
        Assert.That((await Upload(editor, Form(jpeg, altText: null, decorative: true))).Response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        await using var db = TestRun.Factory.CreateDbContext();
        Assert.That(await db.Photos.IgnoreQueryFilters().CountAsync(), Is.EqualTo(1));
    }

    [Test]
    public async Task TheSameBytesUploadedTwiceAreStoredOnce()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var jpeg = TestImages.Jpeg(640, 480);
        var (_, first) = await Upload(editor, Form(jpeg));
        var (_, second) = await Upload(editor, Form(jpeg));
        Assert.That((string?)first!["id"], Is.Not.EqualTo((string?)second!["id"]));
        Assert.That((string?)first["sha256"], Is.EqualTo((string?)second["sha256"]));
        var originals = Directory.EnumerateFiles(TestRun.PhotoFolder, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileNameWithoutExtension(f) == (string?)first["sha256"]).ToList();
        Assert.That(originals, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task ReplacingTheFileKeepsIdAndMetadataMakesARevisionAndTheOldFileIsSweptLater()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var admin = await TestAuth.KeyClientAsync(Roles.Admin);
        var (_, created) = await Upload(editor, Form(TestImages.Jpeg(640, 480)));
        var id = (string)created!["id"]!;
        var oldHash = (string)created["sha256"]!;

        var replacement = new MultipartFormDataContent { { new ByteArrayContent(TestImages.Png(320, 240)), "file", "ny.png" } };
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/photos/{id}/file") { Content = replacement };
        request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        using var replaced = await editor.SendAsync(request);
        var json = JsonNode.Parse(await replaced.Content.ReadAsStringAsync())!;
        Assert.That(replaced.StatusCode, Is.EqualTo(HttpStatusCode.OK), json.ToJsonString());
        Assert.That((string?)json["id"], Is.EqualTo(id));
        Assert.That((string?)json["altText"], Is.EqualTo(Alt));
        Assert.That((string?)json["mediaType"], Is.EqualTo("image/png"));
        Assert.That((string?)json["sha256"], Is.Not.EqualTo(oldHash));
        var (_, revisions) = await editor.SendJson(HttpMethod.Get, $"/api/photos/{id}/revisions");
        Assert.That((string?)revisions!["items"]![0]!["action"], Is.EqualTo("file replaced"));

        Assert.That(Directory.EnumerateFiles(TestRun.PhotoFolder, oldHash + ".*", SearchOption.AllDirectories), Is.Not.Empty);
        // Sweep as if an hour had passed: the unused original goes, the one in use stays.
        TestRun.Factory.Clock.Now = DateTimeOffset.UtcNow.AddHours(2);
        var (swept, sweptJson) = await admin.SendJson(HttpMethod.Post, "/api/admin/photos/sweep");
        Assert.That(swept.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((int?)sweptJson!["deleted"], Is.GreaterThanOrEqualTo(1));
        Assert.That(Directory.EnumerateFiles(TestRun.PhotoFolder, oldHash + ".*", SearchOption.AllDirectories), Is.Empty);
        Assert.That(Directory.EnumerateFiles(TestRun.PhotoFolder, (string)json["sha256"]! + ".*", SearchOption.AllDirectories), Is.Not.Empty);
    }
}
