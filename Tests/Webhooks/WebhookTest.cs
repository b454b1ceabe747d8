using System.Net;
using System.Text.Json.Nodes;
using ContentApi.Api.Webhooks;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using StandardWebhooks;

namespace ContentApi.Tests.Webhooks;

/// <summary>
/// Base of the webhook tests: a receiver on loopback, and an API host that sends webhooks (the test run's host does not)
/// and may reach loopback, with a 1 s timeout and a clock the tests move to make retries due.
/// </summary>
public abstract class WebhookTest : ApiTest
{
    protected WebhookReceiver Receiver { get; private set; } = null!;
    protected OwnApi Sender { get; private set; } = null!;
    protected HttpClient Admin { get; private set; } = null!;
    protected const string PublicBase = "https://api.example.test/";

    /// <summary>The sending host's settings; a fixture may change them.</summary>
    protected virtual Dictionary<string, string?> Settings => SenderSettings;

    public static Dictionary<string, string?> SenderSettings => new()
    {
        ["Webhooks:Enabled"] = "true",
        ["Webhooks:AllowedNetworks:0"] = "127.0.0.0/8",
        ["Webhooks:AllowedNetworks:1"] = "::1/128",
        ["Webhooks:Timeout"] = "00:00:01",
        ["PublicBaseUrl"] = PublicBase,
    };

    [OneTimeSetUp]
    public void StartSender()
    {
        Receiver = new WebhookReceiver();
        Sender = new OwnApi(Settings);
    }

    [SetUp]
    public async Task PrepareSender()
    {
        Receiver.Reset();
        Sender.Forget();
        Sender.Factory.Clock.Now = TestRun.Factory.Clock.Now;
        Admin = await TestAuth.KeyClientAsync(Roles.Admin, api: Sender.Factory);
    }

    [OneTimeTearDown]
    public async Task StopSender()
    {
        await Sender.DisposeAsync();
        await Receiver.DisposeAsync();
    }

    /// <summary>Registers a subscription to the receiver; its id and secret.</summary>
    protected async Task<(Guid Id, string Secret)> SubscribeAsync(string[] events, bool enabled = true)
    {
        var (response, json) = await Admin.SendJson(HttpMethod.Post, "/api/admin/webhooks", new { url = Receiver.Url, events, enabled });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), json?.ToJsonString());
        return (Guid.Parse((string)json!["id"]!), (string)json["secret"]!);
    }

    /// <summary>Checks the signature as a receiver does, with the Standard Webhooks library; the payload.</summary>
    protected static JsonNode Verified(ReceivedWebhook received, string secret)
    {
        Assert.DoesNotThrow(() => new StandardWebhook(secret).Verify(received.Body, received.Headers),
            $"the signature verifies: {received.Id} {received.Timestamp} {received.Signature} {received.Body}");
        return received.Json;
    }

    protected async Task<JsonNode> DeliveryLogAsync(Guid subscription, string query = "") =>
        await GetJson(Admin, $"/api/admin/webhooks/{subscription}/deliveries{query}");

    /// <summary>Waits (at most 30 s) until the delivery log shows what the test expects.</summary>
    protected async Task<JsonNode> WaitForLogAsync(Guid subscription, Func<JsonArray, bool> expected, string what, string query = "")
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var log = await DeliveryLogAsync(subscription, query);
            if (expected(log["items"]!.AsArray()))
                return log;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"The delivery log never showed {what}; {await DiagnoseAsync()} {log["items"]!.AsArray().Count} deliveries, not succeeded: "
                    + string.Join(" ", log["items"]!.AsArray().Where(d => (string?)d!["state"] != "Succeeded").Select(d => d!.ToJsonString())));
            await Task.Delay(50);
        }
    }

    protected static async Task UnpublishAsync(Guid article)
    {
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var (response, json) = await publisher.SendJson(HttpMethod.Post, $"/api/articles/{article}/unpublish");
        Assert.That(response.IsSuccessStatusCode, json?.ToJsonString());
    }

    private static async Task<string> DiagnoseAsync()
    {
        await using var connection = new Npgsql.NpgsqlConnection(TestRun.ConnectionString);
        await connection.OpenAsync();
        var lines = new List<string>();
        foreach (var sql in new[]
        {
            "SELECT id || ' lease ' || coalesce(lease_until::text, '-') || ' payload ' || (payload IS NOT NULL) FROM webhook_deliveries WHERE state = 'Pending'",
            "SELECT coalesce(application_name, '') || ' ' || coalesce(state, '') || ' ' || coalesce(wait_event_type, '') || ' ' || left(query, 200) FROM pg_stat_activity WHERE datname = current_database()",
        })
        {
            await using var command = new Npgsql.NpgsqlCommand(sql, connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                lines.Add(reader.GetString(0));
        }
        return string.Join("\n", lines);
    }

    protected static int AttemptsOf(JsonNode delivery) => delivery["attempts"]!.AsArray().Count;

    /// <summary>Moves the sender's clock past any retry's backoff, and has it look for work.</summary>
    protected void MakeRetriesDue(TimeSpan? by = null)
    {
        Sender.Factory.Clock.Now += by ?? TimeSpan.FromHours(1);
        Sender.Factory.Services.GetRequiredService<WebhookDispatcher>().Wake();
    }
}
