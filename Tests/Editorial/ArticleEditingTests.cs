using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Editorial;

public class ArticleEditingTests : ApiTest
{
    private static object NewArticle(string title = "Nytt medborgarlöfte för 2025") => new
    {
        title,
        lead = "Kommunen och polisen tecknar nytt löfte.",
        body = new object[] { new { type = "Paragraph", text = "Brödtext." }, new { type = "Heading", text = "Rubrik", level = 2 } },
        tags = new[] { "medborgarlöfte" },
    };

    [Test]
    public async Task ASummaryForListCardsIsWrittenPreviewedPublishedAndShownOnEveryFace()
    {
        var article = Article("Med sammanfattning");
        await SaveAsync(article);
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var (tooLong, tooLongJson) = await editor.SendJson(HttpMethod.Patch, $"/api/articles/{article.Id}",
            new JsonObject { ["summary"] = new string('x', ContentApi.Domain.Article.SummaryMaxLength + 1) }.ToJsonString(), ifMatch: "\"1\"", mediaType: "application/merge-patch+json");
        Assert.That(tooLong.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(tooLongJson!["errors"]!["summary"], Is.Not.Null);

        var (patched, _) = await editor.SendJson(HttpMethod.Patch, $"/api/articles/{article.Id}",
            """{"summary":"Kort text för puffen."}""", ifMatch: "\"1\"", mediaType: "application/merge-patch+json");
        Assert.That(patched.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((string?)(await GetJson(editor, "/api/articles"))["items"]![0]!["summary"], Is.EqualTo("Kort text för puffen."));
        Assert.That((string?)(await GetJson(editor, "/odata/Articles?$select=summary"))["value"]![0]!["summary"], Is.EqualTo("Kort text för puffen."));
        Assert.That((string?)(await GetJson($"/api/articles/{article.Id}"))["summary"], Is.Null, "pending until published");

        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var (published, _) = await publisher.SendJson(HttpMethod.Post, $"/api/articles/{article.Id}/publish");
        Assert.That(published.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((string?)(await GetJson($"/api/articles/{article.Id}"))["summary"], Is.EqualTo("Kort text för puffen."));
        Assert.That((string?)(await GetJson("/api/articles"))["items"]![0]!["summary"], Is.EqualTo("Kort text för puffen."));
        Assert.That((string?)(await GetJson("/odata/Articles?$filter=summary ne null&$select=summary"))["value"]![0]!["summary"], Is.EqualTo("Kort text för puffen."));
    }

    [Test]
    public async Task EditorWritesADraftPublisherPublishesItAnonymousSeesIt()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);

        using var created = await editor.PostAsJsonAsync("/api/articles", NewArticle());
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        var draft = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        Assert.That((string?)draft["slug"], Is.EqualTo("nytt-medborgarlofte-for-2025"));
        Assert.That((string?)draft["status"], Is.EqualTo("Draft"));
        Assert.That(created.Headers.Location?.ToString(), Is.EqualTo($"/api/articles/{draft["id"]}"));
        Assert.That(created.Headers.ETag?.Tag, Is.EqualTo("\"1\""));

        await GetProblem("/api/articles/by-slug/nytt-medborgarlofte-for-2025", HttpStatusCode.NotFound);
        using var preview = await editor.GetAsync("/api/articles/by-slug/nytt-medborgarlofte-for-2025");
        Assert.That(preview.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(preview.Headers.CacheControl?.NoStore, Is.True);
        Assert.That(preview.Headers.CacheControl?.Private, Is.True);

        using var published = await publisher.PostAsync($"/api/articles/{draft["id"]}/publish", null);
        Assert.That(published.StatusCode, Is.EqualTo(HttpStatusCode.OK), await published.Content.ReadAsStringAsync());

        var live = await GetJson("/api/articles/by-slug/nytt-medborgarlofte-for-2025");
        Assert.That((string?)live["status"], Is.EqualTo("Published"));
        Assert.That((string?)live["publishedAt"], Is.EqualTo("2024-06-15T10:00:00Z"));
    }

    [Test]
    public async Task EditingAPublishedArticleMakesAPendingVersionWhileTheLiveOneStays()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var article = Article("Original titel");
        await SaveAsync(article);

        var change = new HttpRequestMessage(HttpMethod.Patch, $"/api/articles/{article.Id}")
        {
            Content = new StringContent("""{"title":"Ny titel","lead":"Ny ingress."}""", Encoding.UTF8, "application/merge-patch+json"),
        };
        change.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\""));
        using var patched = await editor.SendAsync(change);
        Assert.That(patched.StatusCode, Is.EqualTo(HttpStatusCode.OK), await patched.Content.ReadAsStringAsync());
        Assert.That((string?)JsonNode.Parse(await patched.Content.ReadAsStringAsync())!["title"], Is.EqualTo("Ny titel"));

        Assert.That((string?)(await GetJson("/api/articles/by-slug/original-titel"))["title"], Is.EqualTo("Original titel"));

        TestRun.Factory.Clock.Now = TestRun.Factory.Clock.Now.AddHours(1);
        using var published = await publisher.PostAsync($"/api/articles/{article.Id}/publish", null);
        Assert.That(published.StatusCode, Is.EqualTo(HttpStatusCode.OK), await published.Content.ReadAsStringAsync());
        var live = await GetJson("/api/articles/by-slug/original-titel");
        Assert.That((string?)live["title"], Is.EqualTo("Ny titel"));
        Assert.That((string?)live["updatedAt"], Is.EqualTo("2024-06-15T11:00:00Z"));
        Assert.That((string?)live["publishedAt"], Is.EqualTo("2024-03-01T08:00:00Z"), "the first publication date stays");
    }

    [Test]
    public async Task AnArticleAndItsBodyPhotosAreOneCommandAndAPendingVersionShowsEditorsItsNewPhotos()
    {
        var hero = Photo("Hamnen.");
        var inBody = Photo("Torget.");
        var added = Photo("Det nya fotot.");
        var article = Article("Med bilder");
        article.HeroPhotoId = hero.Id;
        article.Body = [Block.Paragraph("Text."), Block.Image(inBody.Id), Block.Image(hero.Id, "Hamnen igen.")];
        article.RefreshPhotoIds();
        await SaveAsync(hero, inBody, added, article);

        ForgetStoredAnswers();
        TestRun.Factory.Sql.Reset();
        var live = await GetJson($"/api/articles/{article.Id}");
        Assert.That(TestRun.Factory.Sql.Count, Is.EqualTo(1), "the article, its hero, contacts, pledge and body photos in one command");
        Assert.That(Strings(live["bodyPhotos"], "id"), Is.EqualTo(new[] { inBody.Id.ToString(), hero.Id.ToString() }), "in the body's order");
        Assert.That((string?)live["bodyHtml"], Does.Contain($"<img src=\"/api/photos/{inBody.Id}/renditions/").And.Contain(" alt=\"Torget.\"")
            .And.Contain($"<img src=\"/api/photos/{hero.Id}/renditions/").And.Contain(" alt=\"Hamnen.\""));

        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var change = new HttpRequestMessage(HttpMethod.Patch, $"/api/articles/{article.Id}")
        {
            Content = new StringContent($$"""{"body":[{"type":"Image","photoId":"{{added.Id}}"}]}""", Encoding.UTF8, "application/merge-patch+json"),
        };
        change.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\""));
        using var patched = await editor.SendAsync(change);
        Assert.That(patched.StatusCode, Is.EqualTo(HttpStatusCode.OK), await patched.Content.ReadAsStringAsync());

        var preview = await GetJson(editor, $"/api/articles/{article.Id}");
        Assert.That(Strings(preview["bodyPhotos"], "id"), Is.EqualTo(new[] { added.Id.ToString() }));
        Assert.That((string?)preview["bodyHtml"], Does.Contain($"<img src=\"/api/photos/{added.Id}/renditions/").And.Contain(" alt=\"Det nya fotot.\""));
        Assert.That(Strings((await GetJson($"/api/articles/{article.Id}", forget: true))["bodyPhotos"], "id"),
            Is.EqualTo(new[] { inBody.Id.ToString(), hero.Id.ToString() }), "readers see the live version");
    }
}
