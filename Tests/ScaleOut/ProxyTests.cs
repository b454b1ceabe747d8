using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using ContentApi.Api.Auth;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.ScaleOut;

/// <summary>
/// Two API processes (the deployed binary) on one database and one photo folder, behind Debian's nginx running
/// deploy/nginx/contentapi.conf as written: the load is spread over both, a publish through either instance shows
/// through the proxy, and an instance stopped with SIGTERM and started again under load fails no request and brings
/// back no old answer.
/// </summary>
public class ProxyTests : ApiTest
{
    /// <summary>How long a change may take to show through the proxy (the other instance hears of it by NOTIFY; polled, not timed).</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    /// <summary>How long after a commit the other instance may still answer from before it (see above).</summary>
    private static readonly TimeSpan NotificationWindow = TimeSpan.FromSeconds(1);

    private string _photos = "";
    private ApiProcess _a = null!;
    private ApiProcess _b = null!;
    private Nginx _nginx = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _photos = Directory.CreateTempSubdirectory("contentapi-shared-photos-").FullName;
        var settings = new Dictionary<string, string>
        {
            // Every request comes from nginx's loopback address: one client as far as the rate limits can tell.
            ["RateLimits__Enabled"] = "false",
            ["Shutdown__ReadinessDelay"] = "00:00:01",
            ["HostOptions__ShutdownTimeout"] = "00:00:15",
        };
        _a = new ApiProcess(_photos, settings);
        _b = new ApiProcess(_photos, settings);
        await Task.WhenAll(_a.ReadyAsync(), _b.ReadyAsync());
        // After the instances: a probe refused by both would leave nginx's worker counting them failed.
        _nginx = new Nginx(_a.Port, _b.Port);
        await _nginx.ListeningAsync();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_nginx is not null)
            await _nginx.DisposeAsync();
        if (_a is not null)
            await _a.DisposeAsync();
        if (_b is not null)
            await _b.DisposeAsync();
        if (_photos.Length > 0)
            Directory.Delete(_photos, recursive: true);
    }

    [Test]
    public async Task UnderLoadBothInstancesAnswerAPublishThroughEitherShowsAndARestartFailsNoRequestAndBringsBackNoOldAnswer()
    {
        var article = Article("Två instanser bakom nginx");
        article.Lead = "Version 0";
        await SaveAsync(article, Article("Grannen i listan", minutesAfterBase: 1));
        var slugUrl = $"/api/articles/by-slug/{article.Slug}";
        var secret = await KeyAsync(Roles.Publisher);
        using var a = Direct(_a, secret);
        using var b = Direct(_b, secret);

        using var proxy = new HttpClient { BaseAddress = _nginx.Address };
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var reads = new List<Read>();
        var failures = new List<string>();
        // Three readers through nginx, each as fast as it is answered with a pause of about a millisecond (enough to
        // keep both instances busy; more only slows the restarted instance's start on a small machine).
        var load = Enumerable.Range(0, 3).Select(worker => Task.Run(async () =>
        {
            using var client = new HttpClient { BaseAddress = _nginx.Address };
            string[] others = ["/api/articles", "/odata/Articles?$top=2&$select=title,lead", "/api/articles?tag=none"];
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var url = n % 2 == 0 ? slugUrl : others[(n / 2 + worker) % others.Length];
                var started = clock.Elapsed;
                try
                {
                    using var response = await client.GetAsync(url);
                    var body = await response.Content.ReadAsStringAsync();
                    lock (reads)
                    {
                        if (response.StatusCode != HttpStatusCode.OK)
                            failures.Add($"{url}: {(int)response.StatusCode} {body}");
                        else if (url == slugUrl)
                            reads.Add(new Read(started, clock.Elapsed, VersionOf(body)));
                        else
                            reads.Add(new Read(started, clock.Elapsed, -1));
                    }
                }
                catch (HttpRequestException e)
                {
                    lock (reads)
                        failures.Add($"{url}: {e.Message}");
                }
                await Task.Delay(1);
            }
        })).ToList();

        // Publishes through A and B in turn, each shown through the proxy; B is stopped with SIGTERM after the
        // fourth (the next ones go through A while it drains and is gone), started again, and publishes again.
        var firstReadsRight = 0;
        async Task PublishAsync(HttpClient instance, int version)
        {
            await PublishLeadAsync(instance, article.Id, $"Version {version}");
            var published = clock.Elapsed;
            for (var attempt = 0; ; attempt++)
            {
                var started = clock.Elapsed;
                using var response = await proxy.GetAsync(slugUrl);
                var seen = VersionOf(await response.Content.ReadAsStringAsync());
                lock (reads)
                    reads.Add(new Read(started, clock.Elapsed, seen));
                if (seen == version)
                {
                    firstReadsRight += attempt == 0 ? 1 : 0;
                    break;
                }
                Assert.That(clock.Elapsed - published, Is.LessThan(Bound), $"version {version} showed through the proxy (saw {seen})");
                await Task.Delay(10);
            }
            await Task.Delay(200);
        }
        for (var version = 1; version <= 4; version++)
            await PublishAsync(version % 2 == 1 ? a : b, version);
        var beforeStop = _nginx.Upstreams().Count;
        await _b.TerminateAsync();
        for (var version = 5; version <= 7; version++)
            await PublishAsync(a, version);
        Assert.That(await _b.ExitedAsync(), Is.EqualTo(0), _b.Log());
        var firstLog = _b.Log();
        _b.Start();
        await _b.ReadyAsync();
        var restarted = _nginx.Upstreams().Count;
        for (var version = 8; version <= 11; version++)
            await PublishAsync(version % 2 == 1 ? a : b, version);
        // Load on until the restarted B has answered through the proxy again (nginx tries it once fail_timeout is over).
        var bAddress = $"127.0.0.1:{_b.Port}";
        for (var waited = Stopwatch.StartNew(); _nginx.Upstreams().Skip(restarted).Count(u => u[^1] == bAddress) < 50; await Task.Delay(100))
            Assert.That(waited.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), $"the restarted instance answered through nginx\n{_nginx.Log()}");
        await stop.CancelAsync();
        await Task.WhenAll(load);

        string Failed(ApiProcess api) => string.Join("\n", api.Log().Split('\n').Where(line => line.Contains("fail:") || line.Contains("crit:")));
        Assert.That(failures, Is.Empty, $"every request through nginx answered 200\nnginx: {_nginx.Log()}\nA: {Failed(_a)}\nB: {Failed(_b)}");
        Assert.That(firstLog, Does.Not.Contain("fail:"), "nothing failed on the stopped instance's way down");

        // No stale answer: a read that began after another read had ended never shows an older version, unless it
        // began within the moment the other instance takes to hear of the commit (its NOTIFY; measured, and bounded
        // generously here as in Tests/Changes, not timed).
        var byEnd = reads.Where(r => r.Version >= 0).OrderBy(r => r.End).ToList();
        var (stale, inWindow, widestWindow) = (0, 0, TimeSpan.Zero);
        var newest = (Version: -1, Since: TimeSpan.Zero);
        var next = 0;
        foreach (var read in reads.Where(r => r.Version >= 0).OrderBy(r => r.Start))
        {
            for (; next < byEnd.Count && byEnd[next].End < read.Start; next++)
                if (byEnd[next].Version > newest.Version)
                    newest = (byEnd[next].Version, byEnd[next].End);
            if (read.Version >= newest.Version)
                continue;
            var late = read.Start - newest.Since;
            widestWindow = late > widestWindow ? late : widestWindow;
            if (late < NotificationWindow)
                inWindow++;
            else
                stale++;
        }

        // The spread: round robin over both while both ran, and the restarted instance back in it.
        var upstreams = _nginx.Upstreams();
        var aAddress = $"127.0.0.1:{_a.Port}";
        string Spread(IEnumerable<string[]> part) =>
            $"A {part.Count(u => u[^1] == aAddress)}, B {part.Count(u => u[^1] == bAddress)}";
        var bothUp = upstreams.Take(beforeStop).ToList();
        var report = $"{upstreams.Count} requests through nginx in {clock.Elapsed.TotalSeconds:0.0} s, none failed; "
            + $"before the stop {Spread(bothUp)}; from SIGTERM to B ready again {Spread(upstreams.Take(restarted).Skip(beforeStop))}; "
            + $"after {Spread(upstreams.Skip(restarted))}; {upstreams.Count(u => u.Length > 1)} retried on the other instance; "
            + $"{reads.Count(r => r.Version >= 0)} reads of the changing article, {stale} stale, {inWindow} older within "
            + $"{widestWindow.TotalMilliseconds:0} ms of a newer one (the other instance not yet notified); "
            + $"{firstReadsRight} of 11 publishes showed on the first read through the proxy";
        TestContext.Out.WriteLine(report);
        Assert.That(stale, Is.Zero, $"reads that showed an older version than one read before: {report}");
        Assert.That(bothUp.Count(u => u[^1] == aAddress), Is.GreaterThan(bothUp.Count / 3), $"A took a fair share: {report}");
        Assert.That(bothUp.Count(u => u[^1] == bAddress), Is.GreaterThan(bothUp.Count / 3), $"B took a fair share: {report}");
    }

    [Test]
    public async Task PhotosOnOneFolderUploadedThroughOneAreServedAndRenderedByBothAndTheSameBytesUploadedThroughBothAtOnceAreOneFile()
    {
        var secret = await KeyAsync(Roles.Editor);
        using var a = Direct(_a, secret);
        using var b = Direct(_b, secret);

        using var uploaded = await a.PostAsync("/api/photos", PhotoUploads.Form(TestImages.Jpeg(1000, 750)));
        var photo = JsonNode.Parse(await uploaded.Content.ReadAsStringAsync())!;
        Assert.That(uploaded.StatusCode, Is.EqualTo(HttpStatusCode.Created), photo.ToJsonString());
        var id = Guid.Parse((string)photo["id"]!);
        var article = Article("Bild i delad mapp");
        article.HeroPhotoId = id;
        await SaveAsync(article);

        // Served through B from the file A stored.
        using var anonymousB = new HttpClient { BaseAddress = _b.Address };
        var original = await anonymousB.GetByteArrayAsync($"/api/photos/{id}/file");
        Assert.That(original, Is.EqualTo(await File.ReadAllBytesAsync(Directory.EnumerateFiles(_photos, (string)photo["sha256"]! + ".*", SearchOption.AllDirectories).Single())));

        // The same rendition asked of both at once, four times each: each instance makes it, the first one renamed into
        // place is kept and every answer is that file.
        using var anonymousA = new HttpClient { BaseAddress = _a.Address };
        var rendition = PhotoUploads.RenditionUrl(photo);
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(n => (n % 2 == 0 ? anonymousA : anonymousB).GetByteArrayAsync(rendition)));
        var made = Directory.EnumerateFiles(Path.Combine(_photos, "renditions"), "*", SearchOption.AllDirectories).ToList();
        Assert.That(made, Has.Count.EqualTo(1));
        var kept = await File.ReadAllBytesAsync(made[0]);
        Assert.That(answers, Has.All.EqualTo(kept));

        // The same new picture uploaded through both at once, three times each: six photos, one file.
        var picture = TestImages.Png(300, 200);
        var uploads = await Task.WhenAll(Enumerable.Range(0, 6).Select(async n =>
        {
            using var response = await (n % 2 == 0 ? a : b).PostAsync("/api/photos", PhotoUploads.Form(picture, "samma.png", "image/png"));
            var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), json.ToJsonString());
            return (string)json["sha256"]!;
        }));
        Assert.That(uploads.Distinct().ToList(), Has.Count.EqualTo(1));
        Assert.That(Directory.EnumerateFiles(_photos, uploads[0] + ".*", SearchOption.AllDirectories).ToList(), Has.Count.EqualTo(1));
        Assert.That(Directory.EnumerateFiles(Path.Combine(_photos, "tmp")), Is.Empty, "no temporary file left behind");
    }

    private sealed record Read(TimeSpan Start, TimeSpan End, int Version);

    /// <summary>The N of "Version N" in an article's lead.</summary>
    private static int VersionOf(string body) =>
        int.Parse(((string?)JsonNode.Parse(body)!["lead"] ?? throw new AssertionException(body))["Version ".Length..]);

    private static async Task PublishLeadAsync(HttpClient instance, Guid id, string lead)
    {
        using (var read = await instance.GetAsync($"/api/articles/{id}"))
        {
            var (patched, json) = await instance.SendJson(HttpMethod.Patch, $"/api/articles/{id}", new { lead },
                ifMatch: read.ETag(), mediaType: "application/merge-patch+json");
            Assert.That(patched.IsSuccessStatusCode, json?.ToJsonString());
        }
        var (published, problem) = await instance.SendJson(HttpMethod.Post, $"/api/articles/{id}/publish");
        Assert.That(published.IsSuccessStatusCode, problem?.ToJsonString());
    }

    private static async Task<string> KeyAsync(string role)
    {
        var (key, secret) = ApiKeys.Create($"proxy-{role}", role, DateTimeOffset.UtcNow);
        await using var db = TestRun.Factory.CreateDbContext();
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync();
        return secret;
    }

    /// <summary>A client straight to one instance, with an API key.</summary>
    private static HttpClient Direct(ApiProcess api, string secret)
    {
        var client = new HttpClient { BaseAddress = api.Address };
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.Header, secret);
        return client;
    }
}
