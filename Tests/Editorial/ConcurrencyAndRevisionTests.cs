using System.Net;
using System.Text.Json.Nodes;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Editorial;

public class ConcurrencyAndRevisionTests : ApiTest
{
    [Test]
    public async Task ChangesWithoutIfMatchAre428AndWithAStaleOneAre412WithTheCurrentETag()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var contact = Contact();
        await SaveAsync(contact);

        var (missing, _) = await editor.SendJson(HttpMethod.Put, $"/api/contacts/{contact.Id}", new { name = "Ny" });
        Assert.That(missing.StatusCode, Is.EqualTo((HttpStatusCode)428));
        var (first, _) = await editor.SendJson(HttpMethod.Put, $"/api/contacts/{contact.Id}", new { name = "Ny" }, ifMatch: "\"1\"");
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(first.ETag(), Is.EqualTo("\"2\""));
        var (stale, staleJson) = await editor.SendJson(HttpMethod.Put, $"/api/contacts/{contact.Id}", new { name = "Annan" }, ifMatch: "\"1\"");
        Assert.That(stale.StatusCode, Is.EqualTo(HttpStatusCode.PreconditionFailed));
        Assert.That(stale.ETag(), Is.EqualTo("\"2\""));
        Assert.That((string?)staleJson!["detail"], Does.Contain("\"2\""));
        var (delete, _) = await editor.SendJson(HttpMethod.Delete, $"/api/contacts/{contact.Id}");
        Assert.That(delete.StatusCode, Is.EqualTo((HttpStatusCode)428));
    }

    [Test]
    public async Task GetGivesTheETagThatAChangeNeeds()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var article = Article("Med etag", ContentStatus.Draft);
        await SaveAsync(article);
        var (read, _) = await editor.SendJson(HttpMethod.Get, $"/api/articles/{article.Id}");
        var (write, _) = await editor.SendJson(HttpMethod.Patch, $"/api/articles/{article.Id}", """{"lead":"x"}""",
            ifMatch: read.ETag(), mediaType: "application/merge-patch+json");
        Assert.That(write.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task TwoEditorsSavingTheSameArticleAtOnceExactlyOneWins()
    {
        var anna = await TestAuth.KeyClientAsync(Roles.Editor, "anna");
        var bo = await TestAuth.KeyClientAsync(Roles.Editor, "bo");
        for (var round = 0; round < 5; round++)
        {
            var article = Article($"Tävling {round}", ContentStatus.Draft);
            await SaveAsync(article);
            var saves = await Task.WhenAll(
                anna.SendJson(HttpMethod.Put, $"/api/articles/{article.Id}", new { title = $"Annas {round}", lead = "A" }, ifMatch: "\"1\""),
                bo.SendJson(HttpMethod.Put, $"/api/articles/{article.Id}", new { title = $"Bos {round}", lead = "B" }, ifMatch: "\"1\""));
            var statuses = saves.Select(s => s.Response.StatusCode).ToList();
            Assert.That(statuses, Is.EquivalentTo(new[] { HttpStatusCode.OK, HttpStatusCode.PreconditionFailed }), $"round {round}");

            var winner = saves.Single(s => s.Response.StatusCode == HttpStatusCode.OK).Json!;
            var (now, json) = await anna.SendJson(HttpMethod.Get, $"/api/articles/{article.Id}");
            Assert.That((string?)json!["title"], Is.EqualTo((string?)winner["title"]), "what was acknowledged is what is stored");
            Assert.That(now.ETag(), Is.EqualTo("\"2\""));
        }
    }

    [Test]
    public async Task EveryChangeMakesARevisionThatCanBeReadAndRestored()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor, "anna");
        var (created, createdJson) = await editor.SendJson(HttpMethod.Post, "/api/articles", new { title = "Första", lead = "Ett" });
        var id = (string)createdJson!["id"]!;
        await editor.SendJson(HttpMethod.Put, $"/api/articles/{id}", new { title = "Andra", lead = "Två" }, ifMatch: "\"1\"");

        var (_, list) = await editor.SendJson(HttpMethod.Get, $"/api/articles/{id}/revisions");
        var items = list!["items"]!.AsArray();
        Assert.That(items.Select(i => (int?)i!["number"]), Is.EqualTo(new int?[] { 2, 1 }));
        Assert.That((string?)items[0]!["author"], Is.EqualTo("apikey:anna-editor"));
        Assert.That((string?)items[0]!["action"], Is.EqualTo("updated"));
        Assert.That(items[0]!["changedFields"]!.AsArray().Select(f => (string?)f), Is.EquivalentTo(new[] { "content.title", "content.slug", "content.lead" }), "a draft's slug follows its title");

        var (_, first) = await editor.SendJson(HttpMethod.Get, $"/api/articles/{id}/revisions/1");
        Assert.That((string?)first!["snapshot"]!["content"]!["title"], Is.EqualTo("Första"));

        var (restored, restoredJson) = await editor.SendJson(HttpMethod.Post, $"/api/articles/{id}/revisions/1/restore", ifMatch: "\"2\"");
        Assert.That(restored.StatusCode, Is.EqualTo(HttpStatusCode.OK), restoredJson?.ToJsonString());
        Assert.That((string?)restoredJson!["title"], Is.EqualTo("Första"));
        var (_, after) = await editor.SendJson(HttpMethod.Get, $"/api/articles/{id}/revisions");
        Assert.That((string?)after!["items"]![0]!["action"], Is.EqualTo("restored revision 1"));
        Assert.That((int?)after["totalCount"], Is.EqualTo(3), "restoring adds a revision, it rewrites none");
    }

    [Test]
    public async Task ContactRevisionsCanBeRestored()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var (_, created) = await editor.SendJson(HttpMethod.Post, "/api/contacts", new { name = "Anna", phone = "0456-81 60 00" });
        var id = (string)created!["id"]!;
        await editor.SendJson(HttpMethod.Put, $"/api/contacts/{id}", new { name = "Anna Ny" }, ifMatch: "\"1\"");
        var (restored, json) = await editor.SendJson(HttpMethod.Post, $"/api/contacts/{id}/revisions/1/restore", ifMatch: "\"2\"");
        Assert.That(restored.StatusCode, Is.EqualTo(HttpStatusCode.OK), json?.ToJsonString());
        Assert.That((string?)json!["name"], Is.EqualTo("Anna"));
        Assert.That((string?)json["phone"], Is.EqualTo("+46456816000"));
    }
}
