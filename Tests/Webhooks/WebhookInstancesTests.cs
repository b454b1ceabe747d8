using System.Text.Json.Nodes;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Webhooks;

/// <summary>Two API instances on one database send each event once between them.</summary>
public class WebhookInstancesTests : WebhookTest
{
    // Forty deliveries at once on a busy machine: the default timeout, so that none times out and is retried (which
    // would be right, but would not show that each was sent once).
    protected override Dictionary<string, string?> Settings => new(SenderSettings) { ["Webhooks:Timeout"] = "00:00:10" };

    [Test]
    public async Task TwoInstancesDeliverEveryEventExactlyOnce()
    {
        await using var second = new OwnApi(Settings);
        var (first, firstSecret) = await SubscribeAsync(["article.*"]);
        var (other, otherSecret) = await SubscribeAsync(["*"]);
        const int articles = 40;
        // Saved by four concurrent writers: both instances wake on each commit and compete for the work.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(writer => Task.Run(async () =>
        {
            for (var i = writer; i < articles; i += 4)
                await SaveAsync(Article($"Artikel {i}"));
        })));

        var secrets = new Dictionary<string, string>();
        var deliveries = new List<JsonNode>();
        foreach (var (subscription, secret) in new[] { (first, firstSecret), (other, otherSecret) })
        {
            var log = await WaitForLogAsync(subscription, items => items.Count == articles && items.All(d => (string?)d!["state"] == "Succeeded"),
                "every delivery done", "?pageSize=100");
            foreach (var delivery in log["items"]!.AsArray())
            {
                deliveries.Add(delivery!);
                secrets[(string)delivery!["messageId"]!] = secret;
            }
        }

        var received = await Receiver.WaitForAsync(2 * articles, "every publish, to both subscriptions");
        Assert.That(deliveries.Select(AttemptsOf), Has.All.EqualTo(1), "each delivery attempted once");
        Assert.That(received, Has.Count.EqualTo(2 * articles), "no message twice");
        Assert.That(received.Select(r => r.Id), Is.EquivalentTo(secrets.Keys));
        Assert.That(received.Select(r => (string?)r.Json["data"]!["id"]).Distinct().Count(), Is.EqualTo(articles));
        foreach (var r in received)
            Verified(r, secrets[r.Id]);
    }
}
