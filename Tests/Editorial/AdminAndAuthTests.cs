using System.Net;
using System.Net.Http.Headers;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using ContentApi.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Editorial;

public class AdminAndAuthTests : ApiTest
{
    [TestCase("X-Api-Key", "cak_mistyped")]
    [TestCase("Authorization", "Bearer not-a-token")]
    [TestCase("Authorization", "Basic dXNlcjpwYXNz")]
    public async Task CredentialsThatAreNotValidAre401EvenOnReadsAnyoneMayMake(string header, string value)
    {
        await SaveAsync(Article("Nyhet"));
        foreach (var url in new[] { "/api/articles/by-slug/nyhet", "/odata/Articles" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation(header, value);
            using var response = await Client.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), url);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), url);
            Assert.That(response.Headers.WwwAuthenticate, Is.Not.Empty, url);
        }
    }

    [Test]
    public async Task AdminMakesAKeyThatWorksUntilRevokedAndOnlyItsHashIsStored()
    {
        var admin = await TestAuth.KeyClientAsync(Roles.Admin);
        var (created, json) = await admin.SendJson(HttpMethod.Post, "/api/admin/api-keys", new { name = "webteam", role = "publisher" });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), json?.ToJsonString());
        var secret = (string)json!["key"]!;
        var id = (string)json["id"]!;

        await using (var db = TestRun.Factory.CreateDbContext())
        {
            var stored = await db.ApiKeys.SingleAsync(k => k.Name == "webteam");
            Assert.That(stored.Hash, Is.Not.EqualTo(secret).And.Length.EqualTo(64));
            Assert.That(await db.ApiKeys.AnyAsync(k => k.Hash.Contains(secret) || k.Prefix == secret), Is.False);
        }

        var webteam = TestRun.Factory.CreateClient();
        webteam.DefaultRequestHeaders.Add("X-Api-Key", secret);
        Assert.That((await webteam.SendJson(HttpMethod.Get, "/api/articles/00000000-0000-0000-0000-000000000001/schedules")).Response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var (_, keys) = await admin.SendJson(HttpMethod.Get, "/api/admin/api-keys");
        var listed = keys!.AsArray().Single(k => (string?)k!["name"] == "webteam")!;
        Assert.That(listed["lastUsedAt"], Is.Not.Null);
        Assert.That(listed["key"], Is.Null, "the secret is shown once");

        Assert.That((await admin.SendJson(HttpMethod.Delete, $"/api/admin/api-keys/{id}")).Response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        var (refused, refusedJson) = await webteam.SendJson(HttpMethod.Get, "/api/contacts");
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((string?)refusedJson!["detail"], Does.Contain("revoked"));
    }

    [Test]
    public async Task BearerTokensWithRolesFromTheProviderAreAccepted()
    {
        var publisher = TestAuth.TokenClient(Roles.Publisher, "per.publicist");
        var article = Article("Via token", ContentStatus.Draft);
        await SaveAsync(article);
        var (published, json) = await publisher.SendJson(HttpMethod.Post, $"/api/articles/{article.Id}/publish");
        Assert.That(published.StatusCode, Is.EqualTo(HttpStatusCode.OK), json?.ToJsonString());
        var (_, revisions) = await publisher.SendJson(HttpMethod.Get, $"/api/articles/{article.Id}/revisions");
        Assert.That((string?)revisions!["items"]![0]!["author"], Is.EqualTo("jwt:per.publicist"));
    }

    [TestCase("expired")]
    [TestCase("wrong audience")]
    [TestCase("garbage")]
    [TestCase("unknown key")]
    [TestCase("malformed key")]
    public async Task BadCredentialsAre401ProblemsAndAreAudited(string kind)
    {
        var client = TestRun.Factory.CreateClient();
        switch (kind)
        {
            case "expired":
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestAuth.Token(Roles.Admin, expires: DateTime.UtcNow.AddHours(-1)));
                break;
            case "wrong audience":
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestAuth.Token(Roles.Admin, audience: "api://other"));
                break;
            case "garbage":
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not.a.token");
                break;
            case "unknown key":
                client.DefaultRequestHeaders.Add("X-Api-Key", ContentApi.Api.Auth.ApiKeys.Generate());
                break;
            default:
                client.DefaultRequestHeaders.Add("X-Api-Key", "cak_made_up");
                break;
        }
        var (response, json) = await client.SendJson(HttpMethod.Post, "/api/contacts", new { name = "x" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(response.Headers.WwwAuthenticate, Is.Not.Empty);
        Assert.That((string?)json!["detail"], Is.Not.Empty);

        Assert.That(await FlushFailuresAsync(), Is.EqualTo(1));
        await using var db = TestRun.Factory.CreateDbContext();
        var entry = await db.AuditEntries.SingleAsync(e => e.Action == "auth.failed");
        Assert.That(entry.Address, Is.Not.Null);
        Assert.That(entry.Status, Is.EqualTo(401));
        Assert.That(entry.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task TokenWithoutARoleIs403()
    {
        var (response, _) = await TestAuth.TokenClient(null).SendJson(HttpMethod.Post, "/api/contacts", new { name = "x" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task AuditLogShowsWritesAndFailuresNewestFirstToAdmins()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor, "anna");
        var admin = await TestAuth.KeyClientAsync(Roles.Admin);
        await editor.SendJson(HttpMethod.Post, "/api/contacts", new { name = "Gabriella Leandersson" });
        await Client.PostAsync("/api/contacts", null);
        await FlushFailuresAsync();

        var (_, page) = await admin.SendJson(HttpMethod.Get, "/api/admin/audit?pageSize=1");
        Assert.That(page!["totalCount"], Is.Null, "the log is not counted");
        Assert.That((string?)page["items"]![0]!["action"], Is.EqualTo("auth.failed"));
        Assert.That((int?)page["items"]![0]!["count"], Is.EqualTo(1));
        Assert.That((string?)page["nextPage"], Is.Not.Null);
        var (_, second) = await admin.SendJson(HttpMethod.Get, (string)page["nextPage"]!);
        var write = second!["items"]![0]!;
        Assert.That((string?)write["action"], Is.EqualTo("contact.created"));
        Assert.That((string?)write["actor"], Is.EqualTo("apikey:anna-editor"));
        Assert.That((string?)write["address"], Is.Not.Empty);
        Assert.That(second["nextPage"], Is.Null, "the last page");
    }

    /// <summary>Writes the refusals counted so far to the audit log, as the background flush does every minute.</summary>
    internal static Task<int> FlushFailuresAsync() =>
        TestRun.Factory.Services.GetRequiredService<ContentApi.Api.Auth.FailedAuthentications>().FlushAsync();

    [Test]
    public async Task ErasingAContactRemovesItFromContentAndRevisionsAndTheAuditKeepsNoData()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var admin = await TestAuth.KeyClientAsync(Roles.Admin);
        var (_, created) = await editor.SendJson(HttpMethod.Post, "/api/contacts",
            new { name = "Gabriella Leandersson", email = "gabriella.leandersson@solvesborg.se", phone = "0456-81 62 20" });
        var contactId = Guid.Parse((string)created!["id"]!);
        var pledge = Pledge(2024);
        pledge.ContactId = contactId;
        var published = Article("Med kontakt");
        await SaveAsync(pledge, published);
        await using (var db = TestRun.Factory.CreateDbContext())
        {
            db.ArticleContacts.Add(new ArticleContact { ArticleId = published.Id, ContactId = contactId });
            await db.SaveChangesAsync();
        }
        // A pending version and a revision that name the contact.
        await editor.SendJson(HttpMethod.Put, $"/api/articles/{published.Id}",
            new { title = "Med kontakt", lead = "Ny", body = new[] { new { type = "Paragraph", text = "x" } }, contactIds = new[] { contactId } }, ifMatch: "\"1\"");
        Assert.That((await GetJson($"/api/contacts/{contactId}"))["name"]!.ToString(), Is.EqualTo("Gabriella Leandersson"));

        var (erased, json) = await admin.SendJson(HttpMethod.Post, $"/api/admin/contacts/{contactId}/erase");
        Assert.That(erased.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), json?.ToJsonString());

        await GetProblem($"/api/contacts/{contactId}", HttpStatusCode.NotFound);
        Assert.That((await GetJson("/api/articles/by-slug/med-kontakt"))["contacts"]!.AsArray(), Is.Empty);
        Assert.That((await GetJson("/api/pledges/by-year/2024"))["contact"], Is.Null);
        var (_, preview) = await editor.SendJson(HttpMethod.Get, $"/api/articles/{published.Id}");
        Assert.That(preview!["contacts"]!.AsArray(), Is.Empty, "the pending version no longer names the contact");

        await using var check = TestRun.Factory.CreateDbContext();
        var id = contactId.ToString();
        Assert.That(await check.Revisions.AnyAsync(r => r.ContentId == contactId && r.ContentKind == ContentKind.Contact), Is.False);
        var snapshots = await check.Revisions.Select(r => r.Snapshot).ToListAsync();
        Assert.That(snapshots, Is.Not.Empty);
        Assert.That(snapshots.Where(s => s.Contains(id) || s.Contains("Gabriella")), Is.Empty);
        Assert.That(await check.AuditEntries.AnyAsync(e => e.Action == "contact.erased"), Is.True);
        Assert.That(await check.AuditEntries.AnyAsync(e => (e.Details ?? "").Contains("Gabriella") || (e.Details ?? "").Contains("0456")), Is.False);
    }
}
