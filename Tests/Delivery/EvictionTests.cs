using System.Net;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;
using static ContentApi.Tests.Support.DeliverySupport;
using static ContentApi.Tests.Support.PhotoUploads;

namespace ContentApi.Tests.Delivery;

/// <summary>A change readers can see evicts every stored answer that can show it, so the very next anonymous request sees it; work readers cannot see evicts nothing.</summary>
public class EvictionTests : ApiTest
{
    [Test]
    public async Task APublishedChangeIsVisibleOnTheVeryNextAnonymousRequestEverywhere()
    {
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var pledge = Pledge(2024);
        var article = Article("Före");
        article.PledgeId = pledge.Id;
        await SaveAsync(pledge, article);
        string[] urls = ["/api/articles/by-slug/fore", "/api/articles", "/api/pledges/by-year/2024", "/odata/Articles?$select=title", "/odata/Pledges?$expand=articles($select=title)"];
        foreach (var url in urls)
            Assert.That((await Client.GetStringAsync(url)), Does.Contain("Före"), url);
        // Twice, so the second answer is the cached one.
        foreach (var url in urls)
            Assert.That((await Client.GetStringAsync(url)), Does.Contain("Före"), url);

        await publisher.SendJson(HttpMethod.Patch, $"/api/articles/{article.Id}", """{"title":"Efter"}""", ifMatch: "\"1\"", mediaType: "application/merge-patch+json");
        Assert.That(await Client.GetStringAsync("/api/articles/by-slug/fore"), Does.Contain("Före"), "a pending version is not published");
        await publisher.SendJson(HttpMethod.Post, $"/api/articles/{article.Id}/publish");
        foreach (var url in urls)
            Assert.That(await Client.GetStringAsync(url), Does.Contain("\"title\":\"Efter\"").And.Not.Contain("\"title\":\"Före\""), url);

        await publisher.SendJson(HttpMethod.Post, $"/api/articles/{article.Id}/unpublish");
        await GetProblem("/api/articles/by-slug/fore", HttpStatusCode.NotFound);
        Assert.That((await GetJson("/api/articles"))["items"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task AChangedPhotoOrContactShowsInTheArticlesThatEmbedIt()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var photo = Photo("Gammal beskrivning av bilden.");
        var contact = Contact("Anna Andersson");
        var article = Article("Med bild och kontakt");
        article.HeroPhotoId = photo.Id;
        article.Contacts = [contact];
        await SaveAsync(photo, contact, article);
        await Client.GetStringAsync("/api/articles/by-slug/med-bild-och-kontakt");

        await editor.SendJson(HttpMethod.Put, $"/api/photos/{photo.Id}", new { altText = "Ny beskrivning av bilden.", decorative = false }, ifMatch: "\"1\"");
        await editor.SendJson(HttpMethod.Put, $"/api/contacts/{contact.Id}", new { name = "Anna Berg" }, ifMatch: "\"1\"");
        var json = await GetJson("/api/articles/by-slug/med-bild-och-kontakt");
        Assert.That((string?)json["heroPhoto"]!["altText"], Is.EqualTo("Ny beskrivning av bilden."));
        Assert.That((string?)json["contacts"]![0]!["name"], Is.EqualTo("Anna Berg"));
    }

    [Test]
    public async Task AChangeEvictsAnswersWhateverTheCaseOfTheirAddress()
    {
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var article = Article("Före");
        await SaveAsync(article);
        // Routing ignores case, so these are the same article; each is stored under its own address.
        string[] urls = ["/API/Articles/by-slug/fore", "/Api/ARTICLES", "/OData/Articles?$select=title"];
        foreach (var url in urls)
        {
            Assert.That(await Client.GetStringAsync(url), Does.Contain("Före"), url);
            using var again = await Client.GetAsync(url);
            Assert.That(again.CacheStatus(), Is.EqualTo(Hit), url);
        }
        await publisher.SendJson(HttpMethod.Patch, $"/api/articles/{article.Id}", """{"title":"Efter"}""", ifMatch: "\"1\"", mediaType: "application/merge-patch+json");
        await publisher.SendJson(HttpMethod.Post, $"/api/articles/{article.Id}/publish");
        foreach (var url in urls)
            Assert.That(await Client.GetStringAsync(url), Does.Contain("\"title\":\"Efter\"").And.Not.Contain("\"title\":\"Före\""), url);
    }

    [Test]
    public async Task PhotosAndContactsStopBeingPublicAtOnceWhenTheArticleThatShowedThemIsUnpublished()
    {
        var contact = Contact("Anna Andersson");
        var (article, photo) = await PublishedArticleWithUploadedPhotoAsync(TestImages.Jpeg(800, 600), contact);
        string[] urls = [$"/api/photos/{photo["id"]}", $"/api/photos/{photo["id"]}/file", RenditionUrl(photo), $"/api/contacts/{contact.Id}",
            $"/odata/Photos({photo["id"]})", $"/odata/Contacts({contact.Id})"];
        foreach (var url in urls)
        {
            using var made = await Client.GetAsync(url);
            using var stored = await Client.GetAsync(url);
            Assert.That(stored.StatusCode, Is.EqualTo(HttpStatusCode.OK), url);
            Assert.That(stored.CacheStatus(), Is.EqualTo(Hit), url);
        }

        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        await publisher.SendJson(HttpMethod.Post, $"/api/articles/{article}/unpublish");
        foreach (var url in urls)
        {
            using var response = await Client.GetAsync(url);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), url);
        }
    }

    [Test]
    public async Task WorkOnDraftsAndPendingVersionsKeepsWhatReadersSeeStored()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var photo = Photo();
        var contact = Contact("Anna Andersson");
        var published = Article("Publicerad");
        var draft = Article("Utkast", ContentStatus.Draft);
        await SaveAsync(photo, contact, published, draft);
        string[] urls = ["/api/articles/by-slug/publicerad", "/api/articles", "/odata/Articles?$select=title"];
        foreach (var url in urls)
            await Client.GetStringAsync(url);

        async Task EditAsync(Guid id, string title)
        {
            using var current = await editor.GetAsync($"/api/articles/{id}");
            var (response, json) = await editor.SendJson(HttpMethod.Put, $"/api/articles/{id}", new
            {
                title, lead = "Ingress.", body = new object[] { new { type = "Paragraph", text = "Text." }, new { type = "Image", photoId = photo.Id } },
                heroPhotoId = photo.Id, contactIds = new[] { contact.Id },
            }, ifMatch: current.Headers.ETag!.Tag);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), json?.ToJsonString());
        }
        await EditAsync(draft.Id, "Utkast, andra försöket");
        await EditAsync(published.Id, "Publicerad, ändrad men inte publicerad än");
        foreach (var url in urls)
        {
            using var response = await Client.GetAsync(url);
            Assert.That(response.CacheStatus(), Is.EqualTo(Hit), $"{url} after work readers cannot see");
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Not.Contain("ändrad").And.Not.Contain("försöket"), url);
        }

        // New photos and contacts, and deleting unused ones, are invisible to readers too.
        using (var upload = await editor.PostAsync("/api/photos", Form(TestImages.Jpeg(400, 300))))
            Assert.That(upload.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var (createdContact, contactJson) = await editor.SendJson(HttpMethod.Post, "/api/contacts", new { name = "Ny Kontakt" });
        Assert.That(createdContact.StatusCode, Is.EqualTo(HttpStatusCode.Created), contactJson?.ToJsonString());
        var (deletedContact, _) = await editor.SendJson(HttpMethod.Delete, $"/api/contacts/{contactJson!["id"]}", ifMatch: "*");
        Assert.That(deletedContact.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        foreach (var url in urls)
        {
            using var response = await Client.GetAsync(url);
            Assert.That(response.CacheStatus(), Is.EqualTo(Hit), $"{url} after new and deleted unused photos and contacts");
        }

        await publisher.SendJson(HttpMethod.Post, $"/api/articles/{published.Id}/publish");
        foreach (var url in urls)
            Assert.That(await Client.GetStringAsync(url), Does.Contain("Publicerad, ändrad men inte publicerad än"), url);
        await publisher.SendJson(HttpMethod.Post, $"/api/articles/{draft.Id}/publish");
        Assert.That(await Client.GetStringAsync("/api/articles"), Does.Contain("Utkast, andra försöket"));
    }
}
