using System.Net;
using ContentApi.Api.Reading;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using ContentApi.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static ContentApi.Tests.Support.ContentBuilder;
using static ContentApi.Tests.Support.DeliverySupport;

namespace ContentApi.Tests.Standby;

/// <summary>
/// Anonymous reads on a PostgreSQL standby (ConnectionStrings:ContentDbStandby) that replays each commit a second after
/// the primary made it (TestStandby): a change shows on the next anonymous request and is never stored stale; a standby
/// further behind than Standby:MaxLag, or gone, is not read (the primary answers, no error); editors and the sync read
/// the primary. One API host reads the standby through a forwarder the tests can cut; another allows almost no lag.
/// </summary>
public class StandbyReadTests : ApiTest
{
    private TcpForwarder _forwarder = null!;
    private ContentApiFactory _api = null!;
    private ContentApiFactory _impatient = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task StartApis()
    {
        var standby = TestStandby.ConnectionString();
        await TestStandby.CaughtUpAsync();
        (_forwarder, var forwarded) = TcpForwarder.For(standby);
        _api = Start(forwarded, maxLag: "00:00:10");
        _impatient = Start(standby, maxLag: "00:00:00.05");
        _client = _api.CreateClient();
    }

    private static ContentApiFactory Start(string standby, string maxLag)
    {
        var api = new ContentApiFactory(TestRun.ConnectionString, TestRun.PhotoFolder, settings: new Dictionary<string, string?>
        {
            ["ConnectionStrings:ContentDbStandby"] = standby,
            ["Standby:MaxLag"] = maxLag,
            ["Standby:RetryAfter"] = "00:00:00.3",
        });
        api.UseKestrel(0);
        api.StartServer();
        return api;
    }

    [OneTimeTearDown]
    public async Task StopApis()
    {
        _client?.Dispose();
        if (_api is not null)
            await _api.DisposeAsync();
        if (_impatient is not null)
            await _impatient.DisposeAsync();
        _forwarder?.Dispose();
    }

    [Test]
    public async Task APublishIsNeverStoredStaleFromTheStandbyWhetherMadeThroughThisInstanceOrAnother()
    {
        var here = await TestAuth.KeyClientAsync(Roles.Publisher, api: _api);
        var elsewhere = await TestAuth.KeyClientAsync(Roles.Publisher);
        var first = Article("Publicerad här", ContentStatus.Draft);
        var second = Article("Publicerad på en annan instans", ContentStatus.Draft);
        await SaveAsync(Article("Redan synlig"), first, second);
        await StoredAsync(_client, "/api/articles", "Redan synlig");
        var reads = Reads(_api);

        await ReadWhileTheStandbyIsBehindAsync(async () =>
        {
            await PublishAsync(here, first.Id);
            // The database's notification of it comes back to this instance too and evicts again: heard before the read.
            await ChangesHeardAsync();
        }, "Publicerad här");
        await ReadWhileTheStandbyIsBehindAsync(async () =>
        {
            await PublishAsync(elsewhere, second.Id);
            // This instance hears of it through the database's notification, which evicts its stored answer.
            await ChangesHeardAsync();
        }, "Publicerad på en annan instans");

        var after = Reads(_api);
        Assert.That(after.Standby - reads.Standby, Is.EqualTo(2), "both refills read the standby, once it had replayed the publish");
        Assert.That(after.Primary, Is.EqualTo(reads.Primary), "the standby, a second behind, was waited for, not passed over");
    }

    [Test]
    public async Task AStandbyFurtherBehindThanTheLimitIsNotReadThePrimaryAnswers()
    {
        var client = _impatient.CreateClient();
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher, api: _impatient);
        var draft = Article("Publicerad medan standbyn släpar", ContentStatus.Draft);
        await SaveAsync(Article("Redan synlig"), draft);
        await TestStandby.CaughtUpAsync();
        await StoredAsync(client, "/api/articles", "Redan synlig");
        var reads = Reads(_impatient);

        HttpResponseMessage response;
        await using (await TestStandby.PauseReplayAsync())
        {
            await PublishAsync(publisher, draft.Id);
            await ChangesHeardAsync();
            response = await client.GetAsync("/api/articles");
        }
        using var _ = response;
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("Publicerad medan standbyn släpar"));
        var after = Reads(_impatient);
        Assert.That(after.Primary - reads.Primary, Is.EqualTo(1), $"the standby, a second behind, lags more than the 50 ms allowed ({reads} → {after}, {response.CacheStatus()})");
        Assert.That(after.Standby, Is.EqualTo(reads.Standby));
    }

    [Test]
    public async Task AStandbyThatGoesAwayUnderLoadSendsReadsToThePrimaryWithoutAnError()
    {
        var article = Article("Läst under avbrottet");
        await SaveAsync(article, Pledge(2024));
        await TestStandby.CaughtUpAsync();
        string[] urls = ["/api/articles", $"/api/articles/{article.Id}", "/api/pledges", "/odata/Articles?$top=5&$select=title"];
        await StoredAsync(_client, urls[1], "Läst under avbrottet");
        var before = Reads(_api);
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var sent = 0;
        const int PerWorker = 60;
        const int Workers = 6;

        async Task WorkAsync(int worker)
        {
            for (var i = 0; i < PerWorker; i++)
            {
                var n = Interlocked.Increment(ref sent);
                if (n == Workers * PerWorker / 3)
                    _forwarder.Cut();
                // A Host of its own: the store keys on it, so every request is a refill that reads a database.
                using var request = new HttpRequestMessage(HttpMethod.Get, urls[n % urls.Length]);
                request.Headers.Host = $"miss-{worker}-{i}.localhost";
                using var response = await _client.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                // Whole answers: a read made again on the primary starts from scratch.
                if (response.StatusCode != HttpStatusCode.OK || !body.Contains(urls[n % urls.Length].Contains("pledges") ? "Medborgarlöfte 2024" : "Läst under avbrottet"))
                    failures.Add($"{request.RequestUri}: {(int)response.StatusCode} {body}");
            }
        }

        try
        {
            await Task.WhenAll(Enumerable.Range(0, Workers).Select(WorkAsync));
            var during = Reads(_api);
            Assert.That(failures, Is.Empty, "no read failed while the standby went away");
            Assert.That(during.Standby, Is.GreaterThan(before.Standby), "reads went to the standby before it went away");
            Assert.That(during.Primary, Is.GreaterThan(before.Primary), "reads went to the primary once it was gone");
        }
        finally
        {
            _forwarder.Restore();
        }
        // Back: once the retry interval has passed, refills read the standby again.
        var back = Reads(_api).Standby;
        for (var deadline = DateTime.UtcNow.AddSeconds(20); Reads(_api).Standby == back; await Task.Delay(50))
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "reads go to the standby again once it is back");
            using var request = new HttpRequestMessage(HttpMethod.Get, urls[0]);
            request.Headers.Host = $"back-{Guid.NewGuid():N}.localhost";
            using var response = await _client.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
    }

    [Test]
    public async Task AnEditorReadsWhatTheyJustWroteOnThePrimary()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor, api: _api);
        var draft = Article("Första utkastet", ContentStatus.Draft);
        await SaveAsync(draft);
        var reads = Reads(_api);

        using (var read = await editor.GetAsync($"/api/articles/{draft.Id}"))
        {
            var (patched, json) = await editor.SendJson(HttpMethod.Patch, $"/api/articles/{draft.Id}", """{"title":"Andra utkastet"}""",
                ifMatch: read.ETag(), mediaType: "application/merge-patch+json");
            Assert.That(patched.IsSuccessStatusCode, json?.ToJsonString());
        }
        Assert.That(await editor.GetStringAsync($"/api/articles/{draft.Id}"), Does.Contain("Andra utkastet"));
        Assert.That(Reads(_api), Is.EqualTo(reads), "editors' reads never ask for the standby");
    }

    [Test]
    public async Task TheSyncAndWebhooksReadThePrimaryNeverTheStandby()
    {
        var draft = Article("Synkad direkt", ContentStatus.Draft);
        await SaveAsync(draft);
        var reads = Reads(_api);
        await PublishAsync(await TestAuth.KeyClientAsync(Roles.Publisher, api: _api), draft.Id);
        // Anonymous and stored like any content route, yet read on the primary: the change shows at once, with the standby
        // a second behind and never asked.
        Assert.That(await _client.GetStringAsync("/api/sync"), Does.Contain("Synkad direkt"));
        Assert.That(Reads(_api), Is.EqualTo(reads), "the sync never asks for the standby");

        // Webhook payloads are read outside any request, through the reader's anonymous face: the primary's delivery face.
        await using var scope = _api.Services.CreateAsyncScope();
        var reader = ContentReader.For(new DefaultHttpContext { RequestServices = scope.ServiceProvider });
        Assert.That(reader.Db, Is.TypeOf<DeliveryDbContext>());
    }

    private static (long Standby, long Primary) Reads(ContentApiFactory api) => api.Services.GetRequiredService<Infrastructure.Standby>().Reads;

    private static async Task PublishAsync(HttpClient publisher, Guid id)
    {
        var (published, problem) = await publisher.SendJson(HttpMethod.Post, $"/api/articles/{id}/publish");
        Assert.That(published.IsSuccessStatusCode, problem?.ToJsonString());
    }

    /// <summary>
    /// Makes a change while the standby's replay is paused, and reads the list right after it: the very next anonymous
    /// request shows the change, and what it stored does too. Replay resumes a moment after the read was sent (a read
    /// that does not wait reads the paused standby, or the one still a second behind after it resumed).
    /// </summary>
    private async Task ReadWhileTheStandbyIsBehindAsync(Func<Task> change, string expected)
    {
        const string url = "/api/articles";
        Task<HttpResponseMessage> reading;
        await using (await TestStandby.PauseReplayAsync())
        {
            await change();
            reading = _client.GetAsync(url);
            await Task.WhenAny(reading, Task.Delay(300));
        }
        using (var response = await reading)
        {
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain(expected), "the first read after the change");
            Assert.That(response.CacheStatus(), Is.EqualTo(Stored));
        }
        using (var again = await _client.GetAsync(url))
        {
            Assert.That(again.CacheStatus(), Is.EqualTo(Hit));
            Assert.That(await again.Content.ReadAsStringAsync(), Does.Contain(expected), "the stored answer");
        }
    }

    /// <summary>Reads the URL until the store answers it (the standby may still be replaying what the test saved).</summary>
    private static async Task StoredAsync(HttpClient client, string url, string expected)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(20); ; await Task.Delay(20))
        {
            using var response = await client.GetAsync(url);
            if (response.CacheStatus() == Hit)
            {
                Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain(expected), url);
                return;
            }
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"{url} stored");
        }
    }
}
