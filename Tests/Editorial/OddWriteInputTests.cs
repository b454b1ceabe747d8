using System.Net;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using Microsoft.EntityFrameworkCore;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Editorial;

/// <summary>Bodies a careless or hostile client sends: each is a 4xx problem that says what was wrong, never a 500.</summary>
public class OddWriteInputTests : ApiTest
{
    private static void AssertProblem(HttpResponseMessage response, System.Text.Json.Nodes.JsonNode? json, HttpStatusCode status, string what)
    {
        Assert.That(response.StatusCode, Is.EqualTo(status), $"{what}: {json?.ToJsonString()}");
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), what);
        Assert.That((string?)json?["detail"], Is.Not.Null.And.Not.Empty, what);
    }

    [TestCase("""{"title":null}""")]
    [TestCase("""{"title":"x","body":null}""")]
    [TestCase("""{"title":"x","body":[null]}""")]
    [TestCase("""{"title":"x","tags":null}""")]
    [TestCase("""{"title":"x","tags":[null]}""")]
    [TestCase("""{"title":"x","contactIds":null}""")]
    [TestCase("""{"title":"x","body":[{"type":"Paragraph","text":null}]}""")]
    public async Task NullsInAnArticleAre400s(string body)
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var (created, json) = await editor.SendJson(HttpMethod.Post, "/api/articles", body);
        AssertProblem(created, json, HttpStatusCode.BadRequest, body);

        var article = Article("Finns", ContentStatus.Draft);
        await SaveAsync(article);
        var (replaced, replacedJson) = await editor.SendJson(HttpMethod.Put, $"/api/articles/{article.Id}", body, ifMatch: "\"1\"");
        AssertProblem(replaced, replacedJson, HttpStatusCode.BadRequest, "PUT " + body);
    }

    [TestCase("""{"body":[null]}""")]
    [TestCase("""{"title":"a","title":"b"}""")]
    [TestCase("""{"title":"\ud800"}""")]
    public async Task OddMergePatchesAre400s(string patch)
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var article = Article("Finns", ContentStatus.Draft);
        await SaveAsync(article);
        var (response, json) = await editor.SendJson(HttpMethod.Patch, $"/api/articles/{article.Id}", patch, ifMatch: "\"1\"",
            mediaType: "application/merge-patch+json");
        AssertProblem(response, json, HttpStatusCode.BadRequest, patch);
    }

    [TestCase("""{"priorityAreas":[{"title":"Trafik","description":"","commitments":[{"text":"x","responsibleParty":"Polisen","status":99}]}]}""")]
    [TestCase("""{"signatories":[null]}""")]
    [TestCase("""{"priorityAreas":[null]}""")]
    [TestCase("""{"priorityAreas":[{"title":"Trafik","description":"","commitments":null}]}""")]
    [TestCase("""{"priorityAreas":[{"title":"Trafik","description":"","commitments":[null]}]}""")]
    [TestCase("""{"ongoingEfforts":[null]}""")]
    [TestCase("""{"title":null}""")]
    public async Task NullsInAPledgeAre400s(string fields)
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var body = System.Text.Json.Nodes.JsonNode.Parse("""{"year":2031,"title":"Medborgarlöfte 2031","summary":"","validFrom":"2031-01-01","validTo":"2031-12-31"}""")!.AsObject();
        foreach (var (key, value) in System.Text.Json.Nodes.JsonNode.Parse(fields)!.AsObject())
            body[key] = value?.DeepClone();
        var (response, json) = await editor.SendJson(HttpMethod.Post, "/api/pledges", body.ToJsonString());
        AssertProblem(response, json, HttpStatusCode.BadRequest, fields);
    }

    [Test]
    public async Task SimultaneousWritesOfOneSlugGiveOneCreatedAndConflictsNeverA500()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        for (var round = 0; round < 5; round++)
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
                editor.SendJson(HttpMethod.Post, "/api/articles", new { title = "Samtidigt", slug = $"samtidigt-{round}" })));
            Assert.That(answers.Count(a => a.Response.StatusCode == HttpStatusCode.Created), Is.EqualTo(1), $"round {round}");
            foreach (var (response, json) in answers.Where(a => a.Response.StatusCode != HttpStatusCode.Created))
                AssertProblem(response, json, HttpStatusCode.Conflict, $"round {round}");
        }
    }

    [Test]
    public async Task AContactDeletedWhileAnArticleStartsNamingItIsNeverDroppedSilently()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        for (var round = 0; round < 12; round++)
        {
            var contact = Contact($"Person {round}");
            await SaveAsync(contact);
            var create = editor.SendJson(HttpMethod.Post, "/api/articles", new { title = $"Artikel {round}", contactIds = new[] { contact.Id } });
            var delete = editor.SendJson(HttpMethod.Delete, $"/api/contacts/{contact.Id}", ifMatch: "*");
            var ((created, createdJson), (deleted, deletedJson)) = (await create, await delete);
            if (created.StatusCode == HttpStatusCode.Created)
            {
                // The article was acknowledged with the contact: the contact stays, and so does the link.
                AssertProblem(deleted, deletedJson, HttpStatusCode.Conflict, $"round {round}: delete after the article named the contact");
                var (stored, storedJson) = await editor.SendJson(HttpMethod.Get, $"/api/articles/{createdJson!["id"]}");
                Assert.That(stored.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                Assert.That(storedJson!["contacts"]!.AsArray().Select(c => (string?)c!["id"]), Is.EqualTo(new[] { contact.Id.ToString() }),
                    $"round {round}: the acknowledged contact is still there");
            }
            else
            {
                Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), $"round {round}");
                Assert.That((int)created.StatusCode, Is.InRange(400, 499), $"round {round}: {createdJson?.ToJsonString()}");
            }
        }
    }

    [Test]
    public async Task APhotoDeletedWhileAnArticleStartsShowingItInItsBodyIsNeverLostSilently()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        for (var round = 0; round < 12; round++)
        {
            var photo = Photo();
            await SaveAsync(photo);
            var create = editor.SendJson(HttpMethod.Post, "/api/articles", new
            {
                title = $"Artikel {round}",
                body = new object[] { new { type = "Paragraph", text = "Text." }, new { type = "Image", photoId = photo.Id } },
            });
            var delete = editor.SendJson(HttpMethod.Delete, $"/api/photos/{photo.Id}", ifMatch: "*");
            var ((created, createdJson), (deleted, deletedJson)) = (await create, await delete);
            if (created.StatusCode == HttpStatusCode.Created)
            {
                // The article was acknowledged with the photo in its body: the photo stays.
                AssertProblem(deleted, deletedJson, HttpStatusCode.Conflict, $"round {round}: delete after the article showed the photo");
                var (photoAfter, _) = await editor.SendJson(HttpMethod.Get, $"/api/photos/{photo.Id}");
                Assert.That(photoAfter.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"round {round}: the photo the article shows is still there");
            }
            else
            {
                Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), $"round {round}");
                Assert.That((int)created.StatusCode, Is.InRange(400, 499), $"round {round}: {createdJson?.ToJsonString()}");
            }
        }
    }

    [Test]
    public async Task TheDatabaseItselfKeepsTheSameRuleForBodyPhotos()
    {
        var photo = Photo();
        var article = Article("Med bild i texten");
        article.Body = [Block.Paragraph("Text."), Block.Image(photo.Id)];
        await SaveAsync(photo, article);
        await using var db = TestRun.Factory.CreateDbContext();
        var deleting = Assert.ThrowsAsync<Npgsql.PostgresException>(() =>
            db.Database.ExecuteSqlAsync($"DELETE FROM photos WHERE id = {photo.Id}"));
        Assert.That(deleting!.SqlState, Is.EqualTo(Npgsql.PostgresErrorCodes.ForeignKeyViolation));
        var missing = Guid.NewGuid();
        var showing = Assert.ThrowsAsync<Npgsql.PostgresException>(() =>
            db.Database.ExecuteSqlAsync($"UPDATE articles SET photo_ids = photo_ids || {missing} WHERE id = {article.Id}"));
        Assert.That(showing!.SqlState, Is.EqualTo(Npgsql.PostgresErrorCodes.ForeignKeyViolation));

        // What counts is the article at commit: shown, then taken out again, the photo may go in the same transaction.
        var passing = Photo();
        await SaveAsync(passing);
        await using var transaction = await db.Database.BeginTransactionAsync();
        await db.Database.ExecuteSqlAsync($"UPDATE articles SET photo_ids = photo_ids || {passing.Id} WHERE id = {article.Id}");
        await db.Database.ExecuteSqlAsync($"UPDATE articles SET photo_ids = array_remove(photo_ids, {passing.Id}) WHERE id = {article.Id}");
        await db.Database.ExecuteSqlAsync($"DELETE FROM photos WHERE id = {passing.Id}");
        await transaction.CommitAsync();
    }

    [Test]
    public async Task ABodyOverTheServersLimitIsA413ThatSaysTheLimit()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/articles")
        {
            Content = new StringContent($$"""{"title":"{{new string('a', 31 * 1024 * 1024)}}"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        // The server answers before reading the body; with Expect: 100-continue the client waits for that answer.
        request.Headers.ExpectContinue = true;
        using var response = await editor.SendAsync(request);
        var json = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync());
        AssertProblem(response, json, HttpStatusCode.RequestEntityTooLarge, "31 MB of JSON");
        Assert.That((string?)json!["detail"], Does.Contain("30 MB"));
    }

    [TestCase("application/xml")]
    [TestCase("text/html")]
    public async Task ProblemsAreJsonWhateverTheClientAccepts(string accept)
    {
        foreach (var (method, url) in new[] { (HttpMethod.Post, "/api/contacts"), (HttpMethod.Get, "/api/nope"), (HttpMethod.Get, "/api/articles?page=abc"), (HttpMethod.Delete, "/api/pledges") })
        {
            using var request = new HttpRequestMessage(method, url);
            request.Headers.TryAddWithoutValidation("Accept", accept);
            using var response = await Client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.That((int)response.StatusCode, Is.InRange(400, 499), $"{method} {url}: {body}");
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), $"{method} {url}: {body}");
            Assert.That((string?)System.Text.Json.Nodes.JsonNode.Parse(body)!["title"], Is.Not.Empty, $"{method} {url}");
        }
    }
}
