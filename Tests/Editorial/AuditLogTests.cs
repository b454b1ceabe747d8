using System.Net;
using ContentApi.Api.Admin;
using ContentApi.Api.Auth;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ContentApi.Tests.Editorial;

/// <summary>The audit log stays small: refusals counted, not written one by one; old entries pruned; pages not counted.</summary>
public class AuditLogTests : ApiTest
{
    [Test]
    public async Task AFloodOfRefusedRequestsIsAFewAuditEntriesWithCountsAndNoDatabaseCommand()
    {
        TestRun.Factory.Sql.Reset();
        var requests = Enumerable.Range(0, 200).Select(async i =>
        {
            using var client = TestRun.Factory.CreateClient();
            if (i % 2 == 0)
                client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.Header, $"cak_guess{i % 4}");
            using var response = await client.PostAsync("/api/contacts", null);
            return response.StatusCode;
        });
        Assert.That(await Task.WhenAll(requests), Is.All.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(TestRun.Factory.Sql.Count, Is.Zero, "neither a request without credentials nor a malformed key needs the database");

        Assert.That(await AdminAndAuthTests.FlushFailuresAsync(), Is.EqualTo(3), "no credentials, and two key prefixes");
        await using var db = TestRun.Factory.CreateDbContext();
        var entries = await db.AuditEntries.Where(e => e.Action == "auth.failed").ToListAsync();
        Assert.That(entries.Sum(e => e.Count), Is.EqualTo(200));
        Assert.That(entries.Select(e => e.Count), Is.EquivalentTo(new[] { 100, 50, 50 }));
        Assert.That(entries.Where(e => e.Count == 50).Select(e => e.Details), Has.All.Contain("Key prefix: cak_guess"));
        Assert.That(entries, Has.All.Matches<AuditEntry>(e => e.Address != null && e.Status == 401));
    }

    [Test]
    public async Task RequestsWithoutOrWithMalformedCredentialsAre401WhileTheDatabaseIsUnreachable()
    {
        // Nothing listens on port 1: every database command would fail.
        await using var host = new ContentApiFactory("Host=127.0.0.1;Port=1;Database=none;Username=postgres;Timeout=2", TestRun.PhotoFolder);
        host.UseKestrel(0);
        using var client = host.CreateClient();
        using (var anonymous = await client.PostAsync("/api/contacts", null))
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.Header, "cak_typo");
        foreach (var url in new[] { "/api/contacts", "/api/articles", "/api/admin/audit" })
            using (var malformed = await client.GetAsync(url))
                Assert.That(malformed.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), url);
        Assert.That(host.Sql.Count, Is.Zero);
    }

    /// <summary>
    /// A flood of refusals is not a flood in the log either: ASP.NET Core's authentication handlers log every challenge
    /// and every failure at Information ("AuthenticationScheme: ApiKey was challenged."), which a hostile run measured at
    /// 154,635 lines (16.8 MB) in 10 s; the audit log counts them instead (appsettings.json sets those loggers to Warning).
    /// </summary>
    [Test]
    public async Task RefusedRequestsWriteNothingToTheLog()
    {
        var logs = new LogRecorder();
        await using var host = new ContentApiFactory(TestRun.ConnectionString, TestRun.PhotoFolder, logs: logs);
        host.UseKestrel(0);
        using var client = host.CreateClient();
        for (var i = 0; i < 20; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/contacts");
            if (i % 2 == 0)
                request.Headers.Add(ApiKeyAuthenticationHandler.Header, i % 4 == 0 ? "cak_typo" : "cak_" + new string('x', 43));
            using var response = await client.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }
        Assert.That(logs.Entries.Where(e => e.Category.Contains("Authentication")).Select(e => e.Message), Is.Empty);
    }

    [Test]
    public async Task EntriesOlderThanTheRetentionArePrunedInBatches()
    {
        var now = TestRun.Factory.Clock.Now;
        await using (var db = TestRun.Factory.CreateDbContext())
        {
            db.AuditEntries.AddRange(Enumerable.Range(0, 25).Select(i => Entry(now.AddDays(-400 - i))));
            db.AuditEntries.AddRange(Enumerable.Range(0, 3).Select(i => Entry(now.AddDays(-10 - i))));
            await db.SaveChangesAsync();
        }
        var retention = TestRun.Factory.Services.GetRequiredService<AuditRetention>();
        Assert.That(await retention.PruneAsync(now.AddDays(-365), batchSize: 10), Is.EqualTo(25));

        await using var check = TestRun.Factory.CreateDbContext();
        Assert.That(await check.AuditEntries.CountAsync(), Is.EqualTo(3));
        Assert.That(await check.AuditEntries.AllAsync(e => e.At > now.AddDays(-365)), Is.True);
    }

    [Test]
    public async Task TheLogIsPagedAfterTheLastEntryWithoutCountingIt()
    {
        var now = TestRun.Factory.Clock.Now;
        await using (var db = TestRun.Factory.CreateDbContext())
        {
            db.AuditEntries.AddRange(Enumerable.Range(0, 45).Select(i => Entry(now.AddMinutes(-i))));
            await db.SaveChangesAsync();
        }
        var admin = await TestAuth.KeyClientAsync(Roles.Admin);
        var ids = new List<long>();
        var url = "/api/admin/audit?pageSize=20";
        var pages = 0;
        while (url is not null)
        {
            TestRun.Factory.Sql.Reset();
            var (response, page) = await admin.SendJson(HttpMethod.Get, url);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), page?.ToJsonString());
            Assert.That(TestRun.Factory.Sql.LastQuery, Does.Not.Contain("count(").IgnoreCase);
            Assert.That(page!["totalCount"], Is.Null);
            ids.AddRange(page["items"]!.AsArray().Select(item => (long)item!["id"]!));
            url = (string?)page["nextPage"]!;
            pages++;
        }
        // 45 entries, and the admin key's creation is not audited (it was made through the DbContext).
        Assert.That(pages, Is.EqualTo(3));
        Assert.That(ids, Has.Count.EqualTo(45).And.Ordered.Descending.And.Unique);

        var detail = await ProblemAsync(admin, "/api/admin/audit?cursor=not-a-cursor");
        Assert.That(detail, Does.Contain("cursor"));
        detail = await ProblemAsync(admin, "/api/admin/audit?page=2");
        Assert.That(detail, Does.Contain("'page'"), "page numbers would count and skip: the cursor replaced them");
    }

    private static async Task<string> ProblemAsync(HttpClient client, string url)
    {
        var (response, json) = await client.SendJson(HttpMethod.Get, url);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), json?.ToJsonString());
        return (string)json!["detail"]!;
    }

    private static AuditEntry Entry(DateTimeOffset at) => new()
    {
        At = at, Actor = "apikey:tests", Action = "contact.created", Status = 200, Address = "127.0.0.1",
    };
}
