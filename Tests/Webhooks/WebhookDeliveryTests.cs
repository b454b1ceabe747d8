using Npgsql;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Webhooks;

/// <summary>Delivery from the change log to a real receiver: signed, retried, in order per item, and disabled after long failure.</summary>
public class WebhookDeliveryTests : WebhookTest
{
    [Test]
    public async Task APublishIsDeliveredSignedAsStandardWebhooksSaysWithWhereToReadIt()
    {
        var (_, secret) = await SubscribeAsync(["article.*"]);
        var article = Article("Nytt bibliotek öppnar");
        await SaveAsync(article);

        var received = (await Receiver.WaitForAsync(1, "the publish")).Single();
        var payload = Verified(received, secret);
        Assert.That((string?)payload["type"], Is.EqualTo("article.upserted"));
        Assert.That(DateTimeOffset.Parse((string)payload["timestamp"]!), Is.Not.EqualTo(default(DateTimeOffset)));
        var data = payload["data"]!;
        Assert.That((string?)data["kind"], Is.EqualTo("article"));
        Assert.That(Guid.Parse((string)data["id"]!), Is.EqualTo(article.Id));
        Assert.That((string?)data["slug"], Is.EqualTo(article.Slug));
        Assert.That((int?)data["version"], Is.EqualTo(article.Version));
        Assert.That((string?)data["change"], Is.EqualTo("upserted"));
        Assert.That((string?)data["urls"]!["rest"], Is.EqualTo($"{PublicBase}api/articles/{article.Id}"));
        Assert.That((string?)data["urls"]!["odata"], Is.EqualTo($"{PublicBase}odata/Articles({article.Id})"));
        Assert.That(data.AsObject().Select(p => p.Key), Is.EquivalentTo(new[] { "kind", "id", "slug", "version", "change", "urls" }),
            "what happened and where to read it, no content");

        // The same check by the specification's words: HMAC-SHA256 keyed with the secret's bytes, over id.timestamp.body.
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var expected = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{received.Id}.{received.Timestamp}.{received.Body}")));
        Assert.That(received.Signature.Split(' '), Has.Member($"v1,{expected}"));
        Assert.That(received.Id, Does.StartWith("msg_"));
        Assert.That(long.Parse(received.Timestamp), Is.EqualTo(DateTimeOffset.UtcNow.ToUnixTimeSeconds()).Within(300));
        var tampered = new HeaderDictionary(received.Headers.ToDictionary(h => h.Key, h => h.Value));
        Assert.Throws<StandardWebhooks.Diagnostics.WebhookVerificationException>(() => new StandardWebhook(secret).Verify(received.Body.Replace("upserted", "removed"), tampered),
            "a changed body does not verify");
    }

    [Test]
    public async Task OnlyTheEventTypesSubscribedToAreSent()
    {
        var (_, secret) = await SubscribeAsync(["article.removed", "pledge.*"]);
        var article = Article("Kommer och går");
        await SaveAsync(article);
        var pledge = Pledge(2031);
        await SaveAsync(pledge);
        await SaveAsync(Article("Ett till", ContentStatus.Published));
        await UnpublishAsync(article.Id);

        var received = await Receiver.WaitForAsync(2, "the pledge and the removal");
        var types = received.Select(r => (string?)Verified(r, secret)["type"]).ToList();
        Assert.That(types, Is.EquivalentTo(new[] { "pledge.upserted", "article.removed" }));
        var removed = received.Single(r => r.Type == "article.removed").Json["data"]!;
        Assert.That((string?)removed["slug"], Is.Null, "a removed item has no slug");
        Assert.That((string?)removed["urls"]!["rest"], Is.EqualTo($"{PublicBase}api/articles/{article.Id}"));
        var upserted = received.Single(r => r.Type == "pledge.upserted").Json["data"]!;
        Assert.That((string?)upserted["urls"]!["rest"], Is.EqualTo($"{PublicBase}api/pledges/by-year/2031"));
    }

    [Test]
    public async Task ServerErrorsAreRetriedWithTheSameMessageUntilTheReceiverTakesIt()
    {
        Receiver.Respond = (number, context) =>
        {
            context.Response.StatusCode = number <= 2 ? 500 : 200;
            return context.Response.WriteAsync(number <= 2 ? "database down" : "ok");
        };
        var (id, secret) = await SubscribeAsync(["*"]);
        await SaveAsync(Article("Tre försök"));

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await Receiver.WaitForAsync(attempt, $"attempt {attempt}");
            await WaitForLogAsync(id, items => items.Count == 1 && AttemptsOf(items[0]!) == attempt, $"attempt {attempt} recorded");
            MakeRetriesDue();
        }
        var received = Receiver.Received.OrderBy(r => r.Number).ToList();
        Assert.That(received.Select(r => r.Id).Distinct().Count(), Is.EqualTo(1), "one webhook-id on every attempt: " + string.Join(" | ", received.Select(r => $"{r.Number} {r.Id} {r.Body}")));
        Assert.That(received.Select(r => r.Body).Distinct().Count(), Is.EqualTo(1), "one body on every attempt");
        foreach (var r in received)
            Verified(r, secret);

        var delivery = (await DeliveryLogAsync(id))["items"]![0]!;
        Assert.That((string?)delivery["state"], Is.EqualTo("Succeeded"));
        Assert.That((string?)delivery["messageId"], Is.EqualTo(received[0].Id));
        var attempts = delivery["attempts"]!.AsArray();
        Assert.That(attempts.Select(a => (int?)a!["status"]), Is.EqualTo(new int?[] { 500, 500, 200 }));
        Assert.That(attempts.Select(a => (int?)a!["attempt"]), Is.EqualTo(new int?[] { 1, 2, 3 }));
        Assert.That((string?)attempts[0]!["excerpt"], Is.EqualTo("database down"));
        Assert.That(attempts.Select(a => (int?)a!["latencyMs"]), Has.All.GreaterThanOrEqualTo(0));
    }

    [Test]
    public async Task AReceiverThatDoesNotAnswerHoldsOnlyItsOwnShareOfTheSendingSlots()
    {
        Receiver.Respond = async (number, context) =>
        {
            if (context.Request.Query.ContainsKey("slow"))
                await Task.Delay(TimeSpan.FromSeconds(3));
            await context.Response.WriteAsync("ok");
        };
        var (created, json) = await Admin.SendJson(HttpMethod.Post, "/api/admin/webhooks", new { url = Receiver.Url + "?slow=1", events = new[] { "article.*" } });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), json?.ToJsonString());
        var slow = Guid.Parse((string)json!["id"]!);
        var (healthy, _) = await SubscribeAsync(["article.*"]);
        await SaveAsync([.. Enumerable.Range(0, 20).Select(i => (object)Article($"Nyhet {i}"))]);

        // While the slow receiver's attempts time out (1 s each), it never holds more than half of the 8 slots, and the
        // healthy subscription gets everything.
        var mostInFlight = 0L;
        await using var connection = new NpgsqlConnection(TestRun.ConnectionString);
        await connection.OpenAsync();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            await using var inFlight = new NpgsqlCommand(
                "SELECT count(*) FROM webhook_deliveries WHERE subscription_id = $1 AND state = 'Pending' AND lease_until IS NOT NULL", connection);
            inFlight.Parameters.Add(new() { Value = slow });
            mostInFlight = Math.Max(mostInFlight, (long)(await inFlight.ExecuteScalarAsync())!);
            await using var done = new NpgsqlCommand(
                "SELECT count(*) FROM webhook_deliveries WHERE subscription_id = $1 AND state = 'Succeeded'", connection);
            done.Parameters.Add(new() { Value = healthy });
            if ((long)(await done.ExecuteScalarAsync())! == 20 && mostInFlight > 0)
                break;
            await Task.Delay(20);
        }
        Assert.That(mostInFlight, Is.InRange(1, 4), "the slow receiver's attempts in flight at once");
        await using var check = new NpgsqlCommand("SELECT count(*) FROM webhook_deliveries WHERE subscription_id = $1 AND state = 'Succeeded'", connection);
        check.Parameters.Add(new() { Value = healthy });
        Assert.That((long)(await check.ExecuteScalarAsync())!, Is.EqualTo(20), "the healthy subscription got every webhook");
    }

    [Test]
    public async Task AnAttemptWithoutAnAnswerInTimeIsRetried()
    {
        Receiver.Respond = async (number, context) =>
        {
            if (number == 1)
                await Task.Delay(TimeSpan.FromSeconds(4));
            await context.Response.WriteAsync("ok");
        };
        var (id, _) = await SubscribeAsync(["article.upserted"]);
        await SaveAsync(Article("Långsam mottagare"));

        var log = await WaitForLogAsync(id, items => items.Count == 1 && AttemptsOf(items[0]!) == 1, "the first attempt");
        var first = log["items"]![0]!["attempts"]![0]!;
        Assert.That((int?)first["status"], Is.Null);
        Assert.That((bool?)first["succeeded"], Is.False);
        Assert.That((string?)first["excerpt"], Does.Contain("No answer within 1 s"));
        Assert.That((string?)log["items"]![0]!["state"], Is.EqualTo("Pending"));
        Assert.That(log["items"]![0]!["nextAttemptAt"], Is.Not.Null);

        MakeRetriesDue();
        log = await WaitForLogAsync(id, items => (string?)items[0]!["state"] == "Succeeded", "the retry succeeded");
        Assert.That(log["items"]![0]!["attempts"]!.AsArray().Select(a => (int?)a!["status"]), Is.EqualTo(new int?[] { null, 200 }));
    }

    [Test]
    public async Task ALaterChangeOfAnItemWaitsForTheEarlierOneButOtherItemsDoNot()
    {
        var first = Article("Först i kön");
        Receiver.Respond = (number, context) =>
        {
            context.Response.StatusCode = number == 1 ? 503 : 200;
            return Task.CompletedTask;
        };
        var (id, _) = await SubscribeAsync(["article.*"]);
        await SaveAsync(first);
        await Receiver.WaitForAsync(1, "the first publish, refused");
        await WaitForLogAsync(id, items => items.Count == 1 && AttemptsOf(items[0]!) == 1, "the refusal recorded");

        await UnpublishAsync(first.Id);
        var other = Article("Någon annan");
        await SaveAsync(other);
        var received = await Receiver.WaitForAsync(2, "the other article, not held up");
        Assert.That(Guid.Parse((string)received[1].Json["data"]!["id"]!), Is.EqualTo(other.Id),
            "the other article went first; the removal of the first waits for its publish");
        var log = await DeliveryLogAsync(id);
        var removal = log["items"]!.AsArray().Single(d => (string?)d!["type"] == "article.removed")!;
        Assert.That(AttemptsOf(removal), Is.Zero, "not attempted while the publish before it is pending");

        MakeRetriesDue();
        received = await Receiver.WaitForAsync(4, "the publish again, then the removal");
        Assert.That(received.Where(r => (string?)r.Json["data"]!["id"] == first.Id.ToString()).Select(r => r.Type),
            Is.EqualTo(new[] { "article.upserted", "article.upserted", "article.removed" }));
    }

    [Test]
    public async Task ASubscriptionFailingForDaysIsDisabledAndSaysWhy()
    {
        Receiver.Respond = (_, context) =>
        {
            context.Response.StatusCode = 500;
            return Task.CompletedTask;
        };
        var (id, _) = await SubscribeAsync(["*"]);
        await SaveAsync(Article("Ingen tar emot"));
        await WaitForLogAsync(id, items => items.Count == 1 && AttemptsOf(items[0]!) == 1, "the first failure");

        MakeRetriesDue(TimeSpan.FromDays(6));
        var log = await WaitForLogAsync(id, items => (string?)items[0]!["state"] == "Failed", "the delivery failed for good");
        Assert.That(AttemptsOf(log["items"]![0]!), Is.EqualTo(2), "retried until the retry period (24 h) was over");
        var subscription = await GetJson(Admin, $"/api/admin/webhooks/{id}");
        Assert.That((bool?)subscription["enabled"], Is.False);
        Assert.That((string?)subscription["disabledReason"], Does.Contain("5 days").And.Contain("HTTP 500"));

        // Nothing more is sent; enabling it again sends what came meanwhile.
        await SaveAsync(Article("Medan den var avstängd"));
        var (enabled, json) = await Admin.SendJson(HttpMethod.Put, $"/api/admin/webhooks/{id}", new { url = Receiver.Url, events = new[] { "*" } });
        Assert.That(enabled.StatusCode, Is.EqualTo(HttpStatusCode.OK), json?.ToJsonString());
        Assert.That((string?)json!["disabledReason"], Is.Null);
        Receiver.Respond = WebhookReceiver.Ok;
        var received = await Receiver.WaitForAsync(3, "the change made while it was disabled");
        Assert.That((string?)received[^1].Json["data"]!["slug"], Is.EqualTo("medan-den-var-avstangd"));
    }
}
