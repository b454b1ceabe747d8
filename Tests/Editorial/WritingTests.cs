using System.Net;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Editorial;

public class WritingTests : ApiTest
{
    [Test]
    public async Task InvalidArticleIsA400NamingEachBadField()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var (response, json) = await editor.SendJson(HttpMethod.Post, "/api/articles", new
        {
            title = "",
            lead = new string('x', 1001),
            tags = new[] { "trafik", "trafik" },
            body = new object[]
            {
                new { type = "Heading", text = "Rubrik", level = 7 },
                new { type = "Link", text = "Klicka" },
                new { type = "Link", text = "Skript", url = "javascript:alert(1)" },
                new { type = "Image", photoId = Guid.NewGuid() },
                new { type = "List", items = Array.Empty<string>() },
            },
            contactIds = new[] { Guid.NewGuid() },
            pledgeId = Guid.NewGuid(),
        });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), json?.ToJsonString());
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var errors = json!["errors"]!.AsObject().Select(e => e.Key).ToList();
        Assert.That(errors, Is.SupersetOf(new[]
        {
            "title", "lead", "tags", "body[0].level", "body[1].url", "body[2].url", "body[3].photoId", "body[4].items", "contactIds", "pledgeId",
        }));
    }

    [Test]
    public async Task MalformedJsonAndUnknownBlockTypesAre400Problems()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var (broken, brokenJson) = await editor.SendJson(HttpMethod.Post, "/api/articles", "{\"title\": ");
        Assert.That(broken.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((string?)brokenJson!["detail"], Is.Not.Empty);
        var (unknown, unknownJson) = await editor.SendJson(HttpMethod.Post, "/api/articles", """{"title":"x","body":[{"type":"Video"}]}""");
        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That((string?)unknownJson!["detail"], Is.Not.Empty);
    }

    [Test]
    public async Task DuplicateSlugIs409AndAMadeSlugIsNumbered()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        await SaveAsync(Article("Vägarbete"));
        var (made, madeJson) = await editor.SendJson(HttpMethod.Post, "/api/articles", new { title = "Vägarbete" });
        Assert.That(made.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That((string?)madeJson!["slug"], Is.EqualTo("vagarbete-2"));
        var (given, _) = await editor.SendJson(HttpMethod.Post, "/api/articles", new { title = "Annat", slug = "vagarbete" });
        Assert.That(given.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
    }

    [Test]
    public async Task ContactValidationNormalizesThePhoneAndRefusesBadValues()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var (ok, okJson) = await editor.SendJson(HttpMethod.Post, "/api/contacts",
            new { name = "Gabriella Leandersson", email = "gabriella.leandersson@solvesborg.se", phone = "0456-81 62 20" });
        Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.Created), okJson?.ToJsonString());
        Assert.That((string?)okJson!["phone"], Is.EqualTo("+46456816220"));
        Assert.That((string?)okJson["phoneDisplay"], Is.EqualTo("0456-81 62 20"));

        var (bad, badJson) = await editor.SendJson(HttpMethod.Post, "/api/contacts", new { name = "", email = "inte en adress", phone = "12" });
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(badJson!["errors"]!.AsObject().Select(e => e.Key), Is.EquivalentTo(new[] { "name", "email", "phone" }));
    }

    [Test]
    public async Task PledgeYearIsUniqueAndCommitmentProgressCanBeUpdated()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var pledge = Pledge(2024);
        await SaveAsync(pledge);
        var (duplicate, _) = await editor.SendJson(HttpMethod.Post, "/api/pledges",
            new { year = 2024, title = "Igen", validFrom = "2024-01-01", validTo = "2024-12-31" });
        Assert.That(duplicate.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));

        var (patched, json) = await editor.SendJson(HttpMethod.Patch, $"/api/pledges/{pledge.Id}",
            """{"priorityAreas":[{"title":"Trafik","description":"x","commitments":[{"text":"Forum","responsibleParty":"Kommunen","status":"Done"}]}]}""",
            ifMatch: "\"1\"", mediaType: "application/merge-patch+json");
        Assert.That(patched.StatusCode, Is.EqualTo(HttpStatusCode.OK), json?.ToJsonString());
        Assert.That((int?)json!["progress"]!["done"], Is.EqualTo(1), "the editor sees the new progress");
        Assert.That((bool?)json["hasPendingChanges"], Is.True);

        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var (published, _) = await publisher.SendJson(HttpMethod.Post, $"/api/pledges/{pledge.Id}/publish");
        Assert.That(published.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var live = await GetJson("/api/pledges/by-year/2024");
        Assert.That((int?)live["progress"]!["done"], Is.EqualTo(1));
        Assert.That((string?)live["updatedAt"], Is.EqualTo("2024-06-15T10:00:00Z"), "publishing a change moves updatedAt");
    }

    [Test]
    public async Task PhotoAltTextMustDescribeThePicture()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var photo = Photo();
        await SaveAsync(photo);
        foreach (var alt in new[] { "", "bild", "IMG_2044.JPG" })
        {
            var (response, json) = await editor.SendJson(HttpMethod.Put, $"/api/photos/{photo.Id}", new { altText = alt, decorative = false }, ifMatch: "\"1\"");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), alt);
            Assert.That(json!["errors"]!["altText"], Is.Not.Null, alt);
        }
        var (decorative, _) = await editor.SendJson(HttpMethod.Put, $"/api/photos/{photo.Id}", new { altText = "", decorative = true }, ifMatch: "\"1\"");
        Assert.That(decorative.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task PhotoOrContactInUseCannotBeDeleted()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var photo = Photo();
        var contact = Contact();
        var article = Article("Använder båda");
        article.HeroPhotoId = photo.Id;
        article.Contacts = [contact];
        await SaveAsync(photo, contact, article);

        var (photoDelete, photoJson) = await editor.SendJson(HttpMethod.Delete, $"/api/photos/{photo.Id}", ifMatch: "\"1\"");
        Assert.That(photoDelete.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That((string?)photoJson!["detail"], Does.Contain("anvander-bada"));
        var (contactDelete, _) = await editor.SendJson(HttpMethod.Delete, $"/api/contacts/{contact.Id}", ifMatch: "\"1\"");
        Assert.That(contactDelete.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
    }

    [Test]
    public async Task EditorMayDeleteADraftButNotAPublishedArticle()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var draft = Article("Utkast", ContentStatus.Draft);
        var published = Article("Publicerad");
        await SaveAsync(draft, published);

        Assert.That((await editor.SendJson(HttpMethod.Delete, $"/api/articles/{draft.Id}", ifMatch: "\"1\"")).Response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        Assert.That((await editor.SendJson(HttpMethod.Delete, $"/api/articles/{published.Id}", ifMatch: "\"1\"")).Response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await publisher.SendJson(HttpMethod.Delete, $"/api/articles/{published.Id}", ifMatch: "\"1\"")).Response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        await GetProblem("/api/articles/by-slug/publicerad", HttpStatusCode.NotFound);
    }
}
