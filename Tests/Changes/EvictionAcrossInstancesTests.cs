using System.Net;
using ContentApi.Api.Changes;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using static ContentApi.Tests.Support.ContentBuilder;
using static ContentApi.Tests.Support.DeliverySupport;

namespace ContentApi.Tests.Changes;

/// <summary>
/// Two API instances on one database: what is written through the test run's API (instance 1) shows on the next
/// anonymous request to a second one (instance 2) that had it stored, through the database's notifications; and when
/// instance 2's listening connection is killed or cut, it serves nothing stored from before and listens again.
/// </summary>
public class EvictionAcrossInstancesTests : ApiTest
{
    /// <summary>How long a change may take to show on the other instance (the bound; polled, not timed).</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(1);
    private const string FormerUrl = "/api/articles/by-slug/fore";

    private readonly LogRecorder _logs = new();
    private readonly string _name = $"instance2-{Guid.NewGuid():N}"[..20];
    private TcpForwarder _forwarder = null!;
    private ContentApiFactory _instance2 = null!;
    private HttpClient _client2 = null!;

    [OneTimeSetUp]
    public void StartInstance2()
    {
        // Its listener goes through a forwarder the tests can cut, under a name of its own in pg_stat_activity.
        (_forwarder, var listen) = TcpForwarder.For(TestRun.ConnectionString);
        _instance2 = new ContentApiFactory(TestRun.ConnectionString, TestRun.PhotoFolder, logs: _logs, settings: new Dictionary<string, string?>
        {
            ["ConnectionStrings:ContentDbListen"] = $"{listen};Application Name={_name}",
            ["ChangeListener:MaxReconnectDelay"] = "00:00:00.5",
        });
        _instance2.UseKestrel(0);
        _instance2.StartServer();
        _client2 = _instance2.CreateClient();
    }

    [OneTimeTearDown]
    public async Task StopInstance2()
    {
        _client2.Dispose();
        await _instance2.DisposeAsync();
        _forwarder.Dispose();
    }

    [SetUp]
    public async Task Listening() => await ListenerBackAsync();

    [Test]
    public async Task APublishAnUnpublishAndAnErasureThroughOneInstanceShowOnTheOthersNextRequest()
    {
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var admin = await TestAuth.KeyClientAsync(Roles.Admin);
        var contact = Contact("Gabriella Leandersson");
        var shown = Article("Synlig nyhet");
        shown.Contacts = [contact];
        var draft = Article("Snart publicerad", ContentStatus.Draft);
        await SaveAsync(contact, shown, draft);

        await StoredOnInstance2Async("/api/articles", "Synlig nyhet");
        await publisher.SendJson(HttpMethod.Post, $"/api/articles/{draft.Id}/publish");
        await ShowsOnInstance2Async("/api/articles", body => body.Contains("Snart publicerad"), "the publish");

        await StoredOnInstance2Async("/api/articles/by-slug/synlig-nyhet", "Synlig nyhet");
        await publisher.SendJson(HttpMethod.Post, $"/api/articles/{shown.Id}/unpublish");
        await ShowsOnInstance2Async("/api/articles/by-slug/synlig-nyhet", (status, _) => status == HttpStatusCode.NotFound, "the unpublish");

        await publisher.SendJson(HttpMethod.Post, $"/api/articles/{shown.Id}/publish");
        await StoredOnInstance2Async("/api/articles/by-slug/synlig-nyhet", "Gabriella Leandersson");
        await StoredOnInstance2Async($"/api/contacts/{contact.Id}", "Gabriella Leandersson");
        var (erased, json) = await admin.SendJson(HttpMethod.Post, $"/api/admin/contacts/{contact.Id}/erase");
        Assert.That(erased.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), json?.ToJsonString());
        await ShowsOnInstance2Async($"/api/contacts/{contact.Id}", (status, _) => status == HttpStatusCode.NotFound, "the erasure (contact)");
        await ShowsOnInstance2Async("/api/articles/by-slug/synlig-nyhet", body => !body.Contains("Gabriella"), "the erasure (article)");
    }

    [Test]
    public async Task AnInstanceWhoseListeningConnectionIsKilledServesNothingStaleAndListensAgain()
    {
        var (publisher, id) = await ArticleStoredOnInstance2Async();
        var warnings = Warnings();

        Assert.That(await TerminateListenerAsync(), Is.EqualTo(1), "instance 2's listening connection, found by its name");
        await ChangeTitleAsync(publisher, id, "Under avbrottet");
        await ShowsOnInstance2Async(FormerUrl, body => body.Contains("Under avbrottet"), "a change made while its listener was killed");
        await ListenerBackAsync();
        await StoredOnInstance2Async(FormerUrl, "Under avbrottet");
        await ChangeTitleAsync(publisher, id, "Efter avbrottet");
        await ShowsOnInstance2Async(FormerUrl, body => body.Contains("Efter avbrottet"), "a change made once it listens again");
        await TwoWarningsSinceAsync(warnings);
    }

    [Test]
    public async Task WhileItsListenerIsCutOffAnInstanceKeepsNoAnswersAndAfterwardsKeepsThemAgain()
    {
        var (publisher, id) = await ArticleStoredOnInstance2Async();
        var warnings = Warnings();

        _forwarder.Cut();
        try
        {
            // It notices at once (the connection was reset) and then retries, refused, a few times.
            await ShowsOnInstance2Async(FormerUrl, (_, cacheStatus) => cacheStatus != Hit, "no stored answer once the connection dropped");
            await Task.Delay(TimeSpan.FromSeconds(1));
            for (var read = 0; read < 3; read++)
            {
                using var response = await _client2.GetAsync(FormerUrl);
                Assert.That(response.CacheStatus(), Is.Not.EqualTo(Hit), "nothing is kept while changes can go unheard");
            }
            await ChangeTitleAsync(publisher, id, "Under avbrottet");
            Assert.That(await _client2.GetStringAsync(FormerUrl), Does.Contain("Under avbrottet"));
        }
        finally
        {
            _forwarder.Restore();
        }
        await ListenerBackAsync();
        await StoredOnInstance2Async(FormerUrl, "Under avbrottet");
        await TwoWarningsSinceAsync(warnings);
    }

    /// <summary>A published article, "Före" at <see cref="FormerUrl"/>, stored on instance 2; and a publisher's client.</summary>
    private async Task<(HttpClient Publisher, Guid Id)> ArticleStoredOnInstance2Async()
    {
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var article = Article("Före");
        await SaveAsync(article);
        await StoredOnInstance2Async(FormerUrl, "\"title\":\"Före\"");
        return (publisher, article.Id);
    }

    /// <summary>Reads the URL on instance 2 until its store answers it (it keeps nothing while its listener reconnects).</summary>
    private async Task StoredOnInstance2Async(string url, string expected)
    {
        await ShowsOnInstance2Async(url, (status, cacheStatus) => status == HttpStatusCode.OK && cacheStatus == Hit, $"{url} stored",
            TimeSpan.FromSeconds(10));
        Assert.That(await _client2.GetStringAsync(url), Does.Contain(expected), url);
    }

    private Task ShowsOnInstance2Async(string url, Func<string, bool> seen, string what) =>
        ShowsOnInstance2Async(url, async response => seen(await response.Content.ReadAsStringAsync()), what, Bound);

    private Task ShowsOnInstance2Async(string url, Func<HttpStatusCode, string?, bool> seen, string what, TimeSpan? within = null) =>
        ShowsOnInstance2Async(url, response => Task.FromResult(seen(response.StatusCode, response.CacheStatus())), what, within ?? Bound);

    /// <summary>Polls instance 2 until its anonymous answer to <paramref name="url"/> shows what is expected.</summary>
    private async Task ShowsOnInstance2Async(string url, Func<HttpResponseMessage, Task<bool>> seen, string what, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            using (var response = await _client2.GetAsync(url))
                if (await seen(response))
                    return;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"{what}: instance 2 did not show it within {within.TotalSeconds} s ({url})");
            await Task.Delay(20);
        }
    }

    private static async Task ChangeTitleAsync(HttpClient publisher, Guid id, string title)
    {
        using (var read = await publisher.GetAsync($"/api/articles/{id}"))
        {
            var (patched, json) = await publisher.SendJson(HttpMethod.Patch, $"/api/articles/{id}", $$"""{"title":"{{title}}"}""",
                ifMatch: read.ETag(), mediaType: "application/merge-patch+json");
            Assert.That(patched.IsSuccessStatusCode, json?.ToJsonString());
        }
        var (published, problem) = await publisher.SendJson(HttpMethod.Post, $"/api/articles/{id}/publish");
        Assert.That(published.IsSuccessStatusCode, problem?.ToJsonString());
    }

    /// <summary>One warning when it stopped listening, one when it was back, none per attempt between.</summary>
    private async Task TwoWarningsSinceAsync(int before)
    {
        // The second is written just after the store keeps answers again.
        for (var wait = 0; wait < 100 && Warnings() - before < 2; wait++)
            await Task.Delay(20);
        Assert.That(Warnings() - before, Is.EqualTo(2), "one warning when it stopped listening, one when it was back, none per retry: "
            + string.Join(" | ", _logs.Entries.Where(e => e.Category == typeof(ChangeListener).FullName).Select(e => e.Message)));
    }

    private int Warnings() =>
        _logs.Entries.Count(e => e.Category == typeof(ChangeListener).FullName && e.Level == LogLevel.Warning);

    private async Task<int> TerminateListenerAsync()
    {
        await using var connection = new NpgsqlConnection(TestRun.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            // FILTER, not the WHERE clause: PostgreSQL may call a function there before comparing the name.
            "SELECT (count(*) FILTER (WHERE pg_terminate_backend(pid)))::int FROM pg_stat_activity WHERE application_name = $1", connection);
        command.Parameters.Add(new() { Value = $"{_name} listener" });
        return (int)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Waits until instance 2's listener listens again, on a connection of its name (recovery is not timed here).</summary>
    private async Task ListenerBackAsync()
    {
        var listener = _instance2.Services.GetRequiredService<ChangeListener>();
        await using var connection = new NpgsqlConnection(TestRun.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*)::int FROM pg_stat_activity WHERE application_name = $1", connection);
        command.Parameters.Add(new() { Value = $"{_name} listener" });
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!listener.Listening || (int)(await command.ExecuteScalarAsync())! != 1)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "instance 2 listens again");
            await Task.Delay(50);
        }
    }
}
