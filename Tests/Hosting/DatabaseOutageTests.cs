using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ContentApi.Api.Auth;
using ContentApi.Api.Hosting;
using ContentApi.Tests.Support;
using Microsoft.Extensions.Logging;
using Npgsql;
using static ContentApi.Tests.Support.ContentBuilder;
using static ContentApi.Tests.Support.DeliverySupport;

namespace ContentApi.Tests.Hosting;

/// <summary>
/// The API cut off its database under load, through a forwarder (<see cref="TcpForwarder"/>) between it and the test
/// PostgreSQL that the test cuts and restores: the shared server keeps running for the rest of the suite.
/// </summary>
public class DatabaseOutageTests : ApiTest
{
    private enum Phase { Before, Cut, Restored }

    private sealed record Answer(Phase Phase, string Kind, HttpStatusCode Status, string? RetryAfter, string? CacheControl,
        string? MediaType, string? CacheStatus, string Body);

    [Test]
    public async Task WhileTheDatabaseIsUnreachableRequestsGet503WithRetryAfterStoredReadsTooAndNoAcknowledgedWriteIsLost()
    {
        var article = Article("Läses under avbrottet", tags: "trafik");
        await SaveAsync(article);
        var (forwarder, connectionString) = TcpForwarder.For(TestRun.ConnectionString);
        using var _ = forwarder;
        var logs = new LogRecorder();
        await using var api = new ContentApiFactory(connectionString, TestRun.PhotoFolder,
            settings: new Dictionary<string, string?> { ["Database:RetryAfterSeconds"] = "7" }, logs: logs);
        api.UseKestrel(0);
        using var reader = api.CreateClient();
        using var writer = api.CreateClient();
        var (key, secret) = ApiKeys.Create("outage-editor", "editor", DateTimeOffset.UtcNow);
        await using (var db = TestRun.Factory.CreateDbContext())
        {
            db.ApiKeys.Add(key);
            await db.SaveChangesAsync();
        }
        writer.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.Header, secret);

        // The article is in the store before the cut.
        var stored = $"/api/articles/{article.Id}";
        (await reader.GetAsync(stored)).Dispose();
        using (var hit = await reader.GetAsync(stored))
            Assert.That(hit.CacheStatus(), Is.EqualTo(Hit));

        var phase = Phase.Before;
        var answers = new ConcurrentQueue<Answer>();
        var acknowledged = new ConcurrentQueue<Guid>();
        var counter = 0;
        using var stop = new CancellationTokenSource();
        async Task Loop(string kind, HttpClient client, Func<int, HttpRequestMessage> request)
        {
            while (!stop.IsCancellationRequested)
            {
                var sentIn = phase;
                using var message = request(Interlocked.Increment(ref counter));
                using var response = await client.SendAsync(message);
                var body = await response.Content.ReadAsStringAsync();
                answers.Enqueue(new Answer(sentIn, kind, response.StatusCode, response.Headers.RetryAfter?.ToString(),
                    response.Headers.CacheControl?.ToString(), response.Content.Headers.ContentType?.MediaType, response.CacheStatus(), body));
                if (response.StatusCode == HttpStatusCode.Created)
                    acknowledged.Enqueue((Guid)JsonNode.Parse(body)!["id"]!);
            }
        }
        // Writes (the key is looked up too), reads the store cannot answer (a new tag each: the read path runs), and the
        // stored article.
        var load = new List<Task>();
        for (var i = 0; i < 3; i++)
        {
            load.Add(Task.Run(() => Loop("write", writer, n => new HttpRequestMessage(HttpMethod.Post, "/api/contacts")
                { Content = JsonContent.Create(new { name = $"Kontakt {n}" }) })));
            load.Add(Task.Run(() => Loop("miss", reader, n => new HttpRequestMessage(HttpMethod.Get, $"/api/articles?tag=avbrott{n}"))));
        }
        load.Add(Task.Run(() => Loop("stored", reader, _ => new HttpRequestMessage(HttpMethod.Get, stored))));

        async Task Until(Func<IReadOnlyCollection<Answer>, bool> condition, string what)
        {
            for (var waited = 0; !condition(answers.ToArray()); waited++)
            {
                Assert.That(waited, Is.LessThan(600), $"timed out waiting until {what}");
                Assert.That(load.Where(t => t.IsFaulted).Select(t => t.Exception), Is.Empty);
                await Task.Delay(100);
            }
        }
        static int Count(IEnumerable<Answer> answers, Phase phase, string kind, HttpStatusCode status) =>
            answers.Count(a => a.Phase == phase && a.Kind == kind && a.Status == status);

        await Until(a => Count(a, Phase.Before, "write", HttpStatusCode.Created) >= 10 && Count(a, Phase.Before, "miss", HttpStatusCode.OK) >= 10,
            "writes and reads went through");
        phase = Phase.Cut;
        forwarder.Cut();
        // The stored article too: its change listener lost its connection, so another instance's change could go unheard.
        await Until(a => Count(a, Phase.Cut, "write", HttpStatusCode.ServiceUnavailable) >= 10
                && Count(a, Phase.Cut, "miss", HttpStatusCode.ServiceUnavailable) >= 10 && Count(a, Phase.Cut, "stored", HttpStatusCode.ServiceUnavailable) >= 10,
            "writes and reads were refused while the database was cut off");
        using (var ready = await reader.GetAsync("/health/ready"))
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "not ready without the database");

        phase = Phase.Restored;
        forwarder.Restore();
        await Until(a => Count(a, Phase.Restored, "write", HttpStatusCode.Created) >= 10 && Count(a, Phase.Restored, "miss", HttpStatusCode.OK) >= 10
                && a.Any(answer => answer.Phase == Phase.Restored && answer.Kind == "stored" && answer.CacheStatus == Hit),
            "writes and reads went through again, without a restart");
        await stop.CancelAsync();
        await Task.WhenAll(load);
        using (var ready = await reader.GetAsync("/health/ready"))
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK), "ready again");

        var all = answers.ToArray();
        Assert.That(all.Where(a => (int)a.Status >= 500 && a.Status != HttpStatusCode.ServiceUnavailable).Select(a => $"{a.Kind} {a.Status}: {a.Body}"),
            Is.Empty, "no 500: the database being away is a 503");
        Assert.That(all.Where(a => a.Status is not (HttpStatusCode.OK or HttpStatusCode.Created or HttpStatusCode.ServiceUnavailable))
            .Select(a => $"{a.Kind} {a.Status}: {a.Body}"), Is.Empty);
        var refused = all.Where(a => a.Status == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.That(refused.Select(a => (a.RetryAfter, a.MediaType)).Distinct(), Is.EqualTo(new[] { ("7", "application/problem+json") }),
            "a 503 says when to try again");
        Assert.That(refused.Select(a => a.CacheControl), Has.All.Contain("no-store"), "a 503 is not kept by any cache");
        Assert.That((string?)JsonNode.Parse(refused[0].Body)!["detail"], Does.Contain("database cannot be reached").And.Contain("7 s"));
        Assert.That(all.Where(a => a.Kind == "stored" && a.Phase == Phase.Before).Select(a => (a.Status, a.CacheStatus)).Distinct(),
            Is.EqualTo(new[] { (HttpStatusCode.OK, Hit) }), "the stored article is served before the cut");

        var ids = acknowledged.ToArray();
        await using (var connection = new NpgsqlConnection(TestRun.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("select count(*) from contacts where id = any(@ids)", connection);
            command.Parameters.AddWithValue("ids", ids);
            Assert.That((long)(await command.ExecuteScalarAsync())!, Is.EqualTo(ids.Length), "every write answered 201 is in the database");
        }

        // One warning when the outage started and one when it ended; no stack trace per request.
        var entries = logs.Entries.ToArray();
        var outage = entries.Where(e => e.Category == typeof(DatabaseOutage).FullName).ToList();
        Assert.That(outage.Select(e => e.Level), Is.EqualTo(new[] { LogLevel.Warning, LogLevel.Warning }), string.Join("\n", outage.Select(e => e.Message)));
        Assert.That(outage[0].Message, Does.Contain("cannot be reached"));
        Assert.That(outage[1].Message, Does.Contain("reachable again").And.Contain($"{refused.Count} requests"));
        Assert.That(entries.Where(e => e.Exception is not null || e.Message.Contains("   at ")).Select(e => $"{e.Category} {e.Level}: {e.Message}"),
            Is.Empty, "no stack traces in the log");
    }
}
