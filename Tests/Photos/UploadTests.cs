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
    private static async Task<(HttpResponseMessage Response, JsonNode? Json)> Upload(HttpClient client, HttpContent content)
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
    public async Task AnythingElseIs415WhateverItsNameOrDeclaredType()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var gif = "GIF89a\u0001\u0000\u0001\u0000\u0080\u0000\u0000"u8.ToArray();
        var html = "<html><script>alert(1)</script></html>"u8.ToArray();
        foreach (var bytes in new[] { gif, html })
        {
            var (response, json) = await Upload(editor, Form(bytes, "photo.jpg", "image/jpeg"));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnsupportedMediaType), json?.ToJsonString());
            Assert.That((string?)json!["detail"], Does.Contain("JPEG, PNG or WebP"));
        }
        var (notMultipart, _) = await editor.SendJson(HttpMethod.Post, "/api/photos", new { altText = "x" });
        Assert.That(notMultipart.StatusCode, Is.EqualTo(HttpStatusCode.UnsupportedMediaType));
    }

    [Test]
    public async Task TruncatedCorruptOrTooLargeImagesAre422AndSayWhy()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var before = FilesNow();
        var jpeg = TestImages.Jpeg(800, 600);
        var truncated = jpeg[..(jpeg.Length / 2)];
        var corrupt = (byte[])TestImages.Png(100, 100).Clone();
        for (var i = 40; i < corrupt.Length; i++)
            corrupt[i] ^= 0x5A;
        var bomb = TestImages.Png(3000, 2000);

        var sliver = TestImages.Png(2, 20000);

        foreach (var (bytes, says) in new[] { (truncated, "decode"), (corrupt, "decode"), (bomb, "megapixels"), (sliver, "on either side") })
        {
            var (response, json) = await Upload(editor, Form(bytes));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity), json?.ToJsonString());
            Assert.That((string?)json!["detail"], Does.Contain(says));
        }
        await AssertNothingKeptAsync(before);
    }

    [Test]
    public async Task UploadOverTheLimitIs413BeforeTheBodyIsRead()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var before = FilesNow();
        var big = new byte[3 * 1024 * 1024];
        TestImages.Jpeg().CopyTo(big, 0);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/photos") { Content = Form(big) };
        // With Expect: 100-continue the client sends the body only when the server asks for it; it never does.
        request.Headers.ExpectContinue = true;
        using var response = await editor.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("2 MB"));
        await AssertNothingKeptAsync(before);
    }

    [Test]
    public async Task StreamedUploadWithoutALengthIsCutOffAt413()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var before = FilesNow();
        var form = Form(new byte[3 * 1024 * 1024]);
        var body = await form.ReadAsStreamAsync();
        var content = new StreamContent(new UnknownLengthStream(body));
        content.Headers.ContentType = form.Headers.ContentType;
        var (response, json) = await Upload(editor, content);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge), json?.ToJsonString());
        await AssertNothingKeptAsync(before);
    }

    [Test]
    public async Task AnUploadBrokenOffHalfwayLeavesNoRowAndNoFile()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var before = FilesNow();
        var form = Form(TestImages.Jpeg(1600, 1200));
        var content = new StreamContent(new BreakingStream(await form.ReadAsStreamAsync(), breakAfter: 20_000));
        content.Headers.ContentType = form.Headers.ContentType;
        Assert.That(async () => await editor.PostAsync("/api/photos", content), Throws.InstanceOf<Exception>(), "the client gives up mid-body");
        // The server notices the broken connection on its own time.
        await Task.Delay(500);
        await AssertNothingKeptAsync(before);
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

    private static HashSet<string> FilesNow() =>
        Directory.Exists(TestRun.PhotoFolder) ? [.. Directory.EnumerateFiles(TestRun.PhotoFolder, "*", SearchOption.AllDirectories)] : [];

    private static async Task AssertNothingKeptAsync(HashSet<string> before)
    {
        await using var db = TestRun.Factory.CreateDbContext();
        Assert.That(await db.Photos.IgnoreQueryFilters().CountAsync(), Is.EqualTo(0), "no photo row");
        var tmp = Path.Combine(TestRun.PhotoFolder, "tmp");
        Assert.That(Directory.Exists(tmp) ? Directory.EnumerateFiles(tmp) : [], Is.Empty, "no temporary file");
        Assert.That(FilesNow().Except(before), Is.Empty, "no stored file from this upload");
    }

    /// <summary>A body whose length is not known in advance (sent chunked).</summary>
    private sealed class UnknownLengthStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A body that breaks off after some bytes, like a phone losing its connection.</summary>
    private sealed class BreakingStream(Stream inner, int breakAfter) : Stream
    {
        private int _sent;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_sent >= breakAfter)
                throw new IOException("The connection was lost.");
            var read = inner.Read(buffer, offset, Math.Min(count, breakAfter - _sent));
            _sent += read;
            return read;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
