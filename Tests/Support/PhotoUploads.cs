using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Support;

/// <summary>Photos uploaded through the API, as an editor does it, and the files it keeps of them.</summary>
public static class PhotoUploads
{
    public const string Alt = "Två personer skriver under medborgarlöftet vid ett bord.";

    /// <summary>The multipart form of an upload: the file and its metadata.</summary>
    public static MultipartFormDataContent Form(byte[] file, string fileName = "IMG_2044.jpg", string contentType = "image/jpeg",
        string? altText = Alt, bool? decorative = null)
    {
        var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(file);
        part.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        form.Add(part, "file", fileName);
        if (altText is not null)
            form.Add(new StringContent(altText), "altText");
        if (decorative is not null)
            form.Add(new StringContent(decorative.Value ? "true" : "false"), "decorative");
        form.Add(new StringContent("Undertecknandet i kommunhuset."), "caption");
        form.Add(new StringContent("Foto: Sölvesborgs kommun"), "credit");
        return form;
    }

    /// <summary>The photo's file as the API keeps it.</summary>
    public static async Task<byte[]> StoredFile(Guid id)
    {
        await using var db = TestRun.Factory.CreateDbContext();
        var photo = await db.Photos.IgnoreQueryFilters().SingleAsync(p => p.Id == id);
        return await File.ReadAllBytesAsync(TestRun.Factory.Services.GetRequiredService<PhotoStorage>().FullPath(photo.StoragePath));
    }

    /// <summary>Uploads a picture and publishes an article that shows it, so anonymous readers may see it.</summary>
    public static async Task<(Guid Article, JsonNode Photo)> PublishedArticleWithUploadedPhotoAsync(byte[] file, Contact? contact = null)
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        using var response = await editor.PostAsync("/api/photos", Form(file));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var photo = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var article = Article("Med bild");
        article.HeroPhotoId = Guid.Parse((string)photo["id"]!);
        if (contact is not null)
            article.Contacts = [contact];
        await SaveAsync(contact is null ? [article] : [contact, article]);
        return (article.Id, photo);
    }

    /// <summary>The address of the photo's first WebP rendition.</summary>
    public static string RenditionUrl(JsonNode photo) =>
        (string)photo["renditions"]!.AsArray().First(r => (string?)r!["format"] == "webp")!["url"]!;
}
