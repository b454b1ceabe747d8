using System.Net;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Tests.Photos;

/// <summary>Uploads that are refused (415, 422, 413, broken off) keep nothing: no row, no stored or temporary file.</summary>
public class UploadRefusalTests : ApiTest
{
    [Test]
    public async Task AnythingElseIs415WhateverItsNameOrDeclaredType()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var gif = "GIF89a\u0001\u0000\u0001\u0000\u0080\u0000\u0000"u8.ToArray();
        var html = "<html><script>alert(1)</script></html>"u8.ToArray();
        foreach (var bytes in new[] { gif, html })
        {
            var (response, json) = await UploadTests.Upload(editor, PhotoUploads.Form(bytes, "photo.jpg", "image/jpeg"));
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
            var (response, json) = await UploadTests.Upload(editor, PhotoUploads.Form(bytes));
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
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/photos") { Content = PhotoUploads.Form(big) };
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
        var form = PhotoUploads.Form(new byte[3 * 1024 * 1024]);
        var body = await form.ReadAsStreamAsync();
        var content = new StreamContent(new UnknownLengthStream(body));
        content.Headers.ContentType = form.Headers.ContentType;
        var (response, json) = await UploadTests.Upload(editor, content);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge), json?.ToJsonString());
        await AssertNothingKeptAsync(before);
    }

    [Test]
    public async Task AnUploadBrokenOffHalfwayLeavesNoRowAndNoFile()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var before = FilesNow();
        var form = PhotoUploads.Form(TestImages.Jpeg(1600, 1200));
        var content = new StreamContent(new BreakingStream(await form.ReadAsStreamAsync(), breakAfter: 20_000));
        content.Headers.ContentType = form.Headers.ContentType;
        Assert.That(async () => await editor.PostAsync("/api/photos", content), Throws.InstanceOf<Exception>(), "the client gives up mid-body");
        // The server notices the broken connection on its own time.
        await Task.Delay(500);
        await AssertNothingKeptAsync(before);
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
}
