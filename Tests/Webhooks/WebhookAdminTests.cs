using System.Net;
using System.Text.Json.Nodes;
using ContentApi.Api.Webhooks;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Webhooks;

/// <summary>Admins' routes: subscriptions and their secret, the ping, the delivery log, redelivery, and what is refused.</summary>
public class WebhookAdminTests : WebhookTest
{
    [Test]
    public async Task TheSecretIsShownOnceAndCreateAndDeleteAreAudited()
    {
        var (id, secret) = await SubscribeAsync(["article.*", "contact.removed"]);
        Assert.That(secret, Does.Match("^whsec_[A-Za-z0-9+/]+=*$"));
        Assert.That(Convert.FromBase64String(secret["whsec_".Length..]), Has.Length.EqualTo(32));

        var one = await GetJson(Admin, $"/api/admin/webhooks/{id}");
        var all = await GetJson(Admin, "/api/admin/webhooks");
        Assert.That(one.ToJsonString() + all.ToJsonString(), Does.Not.Contain(secret["whsec_".Length..]).And.Not.Contain("secret"));
        Assert.That(one["events"]!.AsArray().Select(e => (string?)e), Is.EqualTo(new[] { "article.*", "contact.removed" }));
        Assert.That((bool?)one["enabled"], Is.True);

        var (rotated, json) = await Admin.SendJson(HttpMethod.Post, $"/api/admin/webhooks/{id}/rotate-secret");
        Assert.That(rotated.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var newSecret = (string)json!["secret"]!;
        Assert.That(newSecret, Is.Not.EqualTo(secret).And.StartWith("whsec_"));
        var (pinged, _) = await Admin.SendJson(HttpMethod.Post, $"/api/admin/webhooks/{id}/ping");
        Assert.That(pinged.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Verified(Receiver.Received.Single(), newSecret);

        var (deleted, _) = await Admin.SendJson(HttpMethod.Delete, $"/api/admin/webhooks/{id}");
        Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        await GetJson(Admin, $"/api/admin/webhooks/{id}", HttpStatusCode.NotFound);
        var (again, _) = await Admin.SendJson(HttpMethod.Delete, $"/api/admin/webhooks/{id}");
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));

        await using var db = TestRun.Factory.CreateDbContext();
        var audited = await db.AuditEntries.Where(e => e.TargetId == id).OrderBy(e => e.Id).Select(e => e.Action).ToListAsync();
        Assert.That(audited, Is.EqualTo(new[] { "webhook.created", "webhook.secret-rotated", "webhook.deleted" }));
    }

    [Test]
    public async Task APingIsDeliveredNowAndLoggedAndCanBeRedeliveredWithTheSameId()
    {
        var (id, secret) = await SubscribeAsync(["pledge.*"]);
        var (response, ping) = await Admin.SendJson(HttpMethod.Post, $"/api/admin/webhooks/{id}/ping");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), ping?.ToJsonString());
        Assert.That((string?)ping!["type"], Is.EqualTo("webhook.ping"));
        Assert.That((string?)ping["state"], Is.EqualTo("Succeeded"));
        var attempt = ping["attempts"]![0]!;
        Assert.That((int?)attempt["status"], Is.EqualTo(200));
        Assert.That((string?)attempt["excerpt"], Is.EqualTo("received"));
        var received = Receiver.Received.Single();
        var payload = Verified(received, secret);
        Assert.That((string?)payload["type"], Is.EqualTo("webhook.ping"));
        Assert.That(received.Id, Is.EqualTo((string?)ping["messageId"]));

        var (redelivered, accepted) = await Admin.SendJson(HttpMethod.Post, $"/api/admin/webhooks/deliveries/{(long)ping["id"]!}/redeliver");
        Assert.That(redelivered.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), accepted?.ToJsonString());
        var both = await Receiver.WaitForAsync(2, "the redelivered ping");
        Assert.That(both[1].Id, Is.EqualTo(both[0].Id), "a redelivery is the same message");
        Assert.That(both[1].Body, Is.EqualTo(both[0].Body));
        Verified(both[1], secret);
        await WaitForLogAsync(id, items => AttemptsOf(items[0]!) == 2, "the second attempt in the log");
    }

    [Test]
    public async Task TheDeliveryLogPagesNewestFirstAndADeliveryIsRedeliveredOnRequest()
    {
        var (id, secret) = await SubscribeAsync(["article.upserted"]);
        await SaveAsync(Article("Första"));
        await SaveAsync(Article("Andra"));
        await SaveAsync(Article("Tredje"));
        await WaitForLogAsync(id, items => items.Count == 3 && items.All(d => (string?)d!["state"] == "Succeeded"), "three deliveries");

        var first = await DeliveryLogAsync(id, "?pageSize=2");
        Assert.That(first["items"]!.AsArray(), Has.Count.EqualTo(2));
        var next = (string)first["nextPage"]!;
        var second = await GetJson(Admin, next);
        Assert.That(second["items"]!.AsArray(), Has.Count.EqualTo(1));
        Assert.That(second["nextPage"], Is.Null);
        var slugs = first["items"]!.AsArray().Concat(second["items"]!.AsArray())
            .Select(d => (long)d!["id"]!).ToList();
        Assert.That(slugs, Is.Ordered.Descending);

        var oldest = second["items"]![0]!;
        var (response, _) = await Admin.SendJson(HttpMethod.Post, $"/api/admin/webhooks/deliveries/{(long)oldest["id"]!}/redeliver");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
        var received = await Receiver.WaitForAsync(4, "the redelivery");
        Assert.That(received[3].Id, Is.EqualTo((string?)oldest["messageId"]));
        Assert.That((string?)Verified(received[3], secret)["data"]!["slug"], Is.EqualTo("forsta"));

        foreach (var bad in new[] { "?pageSize=0", "?pageSize=101", "?cursor=nonsense", "?page=2" })
            await GetJson(Admin, $"/api/admin/webhooks/{id}/deliveries{bad}", HttpStatusCode.BadRequest);
        await GetJson(Admin, $"/api/admin/webhooks/{Guid.NewGuid()}/deliveries", HttpStatusCode.NotFound);
        var (missing, problem) = await Admin.SendJson(HttpMethod.Post, "/api/admin/webhooks/deliveries/999999999/redeliver");
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), problem?.ToJsonString());
    }

    [Test]
    public async Task ARedirectIsAFailureAndNotFollowed()
    {
        Receiver.Respond = (number, context) =>
        {
            context.Response.Redirect(number == 1 ? "http://169.254.169.254/latest/meta-data" : "/elsewhere");
            return Task.CompletedTask;
        };
        var (id, _) = await SubscribeAsync(["*"]);
        var (_, ping) = await Admin.SendJson(HttpMethod.Post, $"/api/admin/webhooks/{id}/ping");
        Assert.That((string?)ping!["state"], Is.EqualTo("Failed"));
        Assert.That((int?)ping["attempts"]![0]!["status"], Is.EqualTo(302));
        Assert.That((string?)ping["attempts"]![0]!["excerpt"], Does.Contain("not followed"));
        Assert.That(Receiver.Received, Has.Count.EqualTo(1), "the redirect was not followed");
    }

    private static IEnumerable<TestCaseData> RefusedUrls() =>
    [
        new("not a url"), new("/relative/path"), new("ftp://example.org/hooks"), new("file:///etc/passwd"),
        new("http://user:password@example.org/hooks"), new("https://example.org/hooks#part"),
        new("http://127.0.0.1/hooks"), new("http://localhost/hooks"), new("http://10.1.2.3/"), new("http://172.16.0.1/"),
        new("http://192.168.1.1/"), new("http://169.254.169.254/latest/meta-data"), new("http://100.64.0.1/"), new("http://0.0.0.0/"),
        new("http://224.0.0.1/"), new("http://[::1]/"), new("http://[::ffff:127.0.0.1]/"), new("http://[::ffff:10.0.0.1]/"),
        new("http://[fd00::1]/"), new("http://[fe80::1]/"), new("http://[::]/"), new("http://no-such-host.invalid/"),
        new("http://" + new string('a', 2000) + ".example.org/"),
        // Each label is valid, the whole name is too long for DNS (over 255 characters): was a 500.
        new("http://" + string.Join('.', Enumerable.Repeat(new string('a', 60), 5)) + "/x"),
        new("http://[::7f00:1]/"), new("http://[2002:7f00:1::]/"),
    ];

    /// <summary>The test run's host allows no internal network, as a production server by default.</summary>
    [TestCaseSource(nameof(RefusedUrls))]
    public async Task AnInternalOrMalformedDestinationIsAProblem(string url)
    {
        var admin = await TestAuth.KeyClientAsync(Roles.Admin);
        var (response, problem) = await admin.SendJson(HttpMethod.Post, "/api/admin/webhooks", new { url, events = new[] { "*" } });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), problem?.ToJsonString());
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(problem!["errors"]!["url"], Is.Not.Null, problem.ToJsonString());
    }

    [Test]
    public async Task ConnectionsToInternalAddressesAreRefusedWhenTheyAreMadeToo()
    {
        // A name that resolved to a public address when it was registered may resolve to an internal one later: the
        // sender checks the address it connects to.
        var sender = TestRun.Factory.Services.GetRequiredService<WebhookSender>();
        foreach (var url in new[] { Receiver.Url, Receiver.Url.Replace("127.0.0.1", "localhost") })
        {
            var outcome = await sender.SendAsync(url, WebhookSender.NewSecret(), "msg_test", "{}", CancellationToken.None);
            Assert.That(outcome.Succeeded, Is.False, url);
            Assert.That(outcome.Status, Is.Null, url);
            Assert.That(outcome.Excerpt, Does.Contain("refused"), url);
        }
        Assert.That(Receiver.Received, Is.Empty);
    }

    [Test]
    public async Task BadInputIsAProblemThatSaysWhatToFix()
    {
        foreach (var (body, field) in new (object Body, string Field)[]
        {
            (new { url = Receiver.Url, events = Array.Empty<string>() }, "events"),
            (new { url = Receiver.Url }, "events"),
            (new { url = Receiver.Url, events = new[] { "article.published" } }, "events"),
            (new { url = Receiver.Url, events = new[] { "article.*", "everything" } }, "events"),
            (new { url = Receiver.Url, events = new[] { "*" }, description = new string('x', 201) }, "description"),
            (new { events = new[] { "*" } }, "url"),
        })
        {
            var (response, problem) = await Admin.SendJson(HttpMethod.Post, "/api/admin/webhooks", body);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), problem?.ToJsonString());
            Assert.That(problem!["errors"]![field], Is.Not.Null, problem.ToJsonString());
            Assert.That((string?)problem["detail"], Is.Not.Empty);
        }
        var (unknown, unknownProblem) = await Admin.SendJson(HttpMethod.Post, "/api/admin/webhooks", new { url = Receiver.Url, events = new[] { "photo.deleted" } });
        Assert.That((string?)unknownProblem!["detail"], Does.Contain("'photo.deleted'").And.Contain("photo.removed"));
        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));

        var (notJson, _) = await Admin.SendJson(HttpMethod.Post, "/api/admin/webhooks", "{not json");
        Assert.That((int)notJson.StatusCode, Is.EqualTo(400));
        var (put, _) = await Admin.SendJson(HttpMethod.Put, $"/api/admin/webhooks/{Guid.NewGuid()}", new { url = Receiver.Url, events = new[] { "*" } });
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var (ping, _) = await Admin.SendJson(HttpMethod.Post, $"/api/admin/webhooks/{Guid.NewGuid()}/ping");
        Assert.That(ping.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [TestCase("Webhooks:AllowedNetworks:0", "10.0.0.0/33")]
    [TestCase("Webhooks:Timeout", "00:00:00")]
    [TestCase("Webhooks:BatchSize", "0")]
    public void AnInvalidSettingStopsTheStartAndIsNamed(string name, string value) =>
        Assert.That(ContentApiFactory.StartupError(name, value), Does.Contain(name.Split(':')[1]));

    [Test]
    public async Task OnlyAdminsManageWebhooks()
    {
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher, api: Sender.Factory);
        var (forbidden, _) = await publisher.SendJson(HttpMethod.Post, "/api/admin/webhooks", new { url = Receiver.Url, events = new[] { "*" } });
        Assert.That(forbidden.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        using var anonymous = await Sender.Client.GetAsync("/api/admin/webhooks");
        Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }
}
