using System.Net;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Rest;

public class PhotoAndContactTests : ApiTest
{
    [Test]
    public async Task PhotoMetadataHasAltTextCaptionCreditAndSize()
    {
        var photo = Photo("En man och en kvinna tittar in i kameran och ler.");
        var article = Article("Med foto");
        article.HeroPhotoId = photo.Id;
        await SaveAsync(photo, article);

        var json = await GetJson($"/api/photos/{photo.Id}");
        Assert.That((string?)json["altText"], Is.EqualTo("En man och en kvinna tittar in i kameran och ler."));
        Assert.That((string?)json["caption"], Is.EqualTo("Hamnen en vårdag."));
        Assert.That((string?)json["credit"], Is.EqualTo("Foto: Sölvesborgs kommun"));
        Assert.That((int?)json["width"], Is.EqualTo(4));
        Assert.That((string?)json["mediaType"], Is.EqualTo("image/png"));
        Assert.That((long?)json["byteSize"], Is.EqualTo(photo.ByteSize));
        Assert.That(json.AsObject().ContainsKey("storagePath"), Is.False);
    }

    [Test]
    public async Task PhotoFileIsServedWithItsMediaTypeAndBytes()
    {
        var photo = Photo();
        var article = Article("Med foto");
        article.HeroPhotoId = photo.Id;
        await SaveAsync(photo, article);

        using var response = await Client.GetAsync($"/api/photos/{photo.Id}/file");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("image/png"));
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.That(bytes, Has.Length.EqualTo(photo.ByteSize));
        Assert.That(bytes[..4], Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47 }));
        Assert.That(response.Headers.ETag, Is.Not.Null);
    }

    [Test]
    public async Task ContactOfPublishedContentIsServedWithBothPhoneForms()
    {
        var contact = Contact("Gabriella Leandersson");
        contact.Phone = "+46456816220";
        var article = Article("Med kontakt");
        article.Contacts = [contact];
        await SaveAsync(contact, article);

        var json = await GetJson($"/api/contacts/{contact.Id}");
        Assert.That((string?)json["name"], Is.EqualTo("Gabriella Leandersson"));
        Assert.That((string?)json["phone"], Is.EqualTo("+46456816220"));
        Assert.That((string?)json["phoneDisplay"], Is.EqualTo("0456-81 62 20"));
    }

    [Test]
    public async Task ContactOfAPublishedPledgeIsServed()
    {
        var contact = Contact();
        var pledge = Pledge(2024);
        pledge.ContactId = contact.Id;
        await SaveAsync(contact, pledge);

        await GetJson($"/api/contacts/{contact.Id}");
    }

    [Test]
    public async Task UnknownPhotoAndContactAre404Problems()
    {
        await GetProblem($"/api/photos/{Guid.NewGuid()}", HttpStatusCode.NotFound);
        await GetProblem($"/api/photos/{Guid.NewGuid()}/file", HttpStatusCode.NotFound);
        await GetProblem($"/api/contacts/{Guid.NewGuid()}", HttpStatusCode.NotFound);
    }
}
