using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ContentApi.Tests.Support;
using Npgsql;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Hosting;

/// <summary>
/// Anonymous readers' statements are cancelled by PostgreSQL after Database:AnonymousStatementTimeout. A query that
/// really takes long: the articles table is locked by another session, so every read of it waits.
/// </summary>
public class StatementTimeoutTests : ApiTest
{
    [Test]
    public async Task AnAnonymousQueryThatRunsPastTheLimitIsCancelledWithAClearProblemWhileEditorsWait()
    {
        await SaveAsync(Article("Tung fråga", tags: "trafik"));
        await using var api = new ContentApiFactory(TestRun.ConnectionString, TestRun.PhotoFolder,
            settings: new Dictionary<string, string?> { ["Database:AnonymousStatementTimeout"] = "00:00:00.2", ["Database:RetryAfterSeconds"] = "3" });
        api.UseKestrel(0);
        using var anonymous = api.CreateClient();
        using var editor = api.CreateClient();
        editor.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestAuth.Token("editor"));
        const string odata = "/odata/Articles?$filter=contains(title,'fråga')&$select=title";
        const string rest = "/api/articles?tag=trafik";

        await using var locker = new NpgsqlConnection(TestRun.ConnectionString);
        await locker.OpenAsync();
        await using (var transaction = await locker.BeginTransactionAsync())
        {
            await using (var lockTable = new NpgsqlCommand("LOCK TABLE articles IN ACCESS EXCLUSIVE MODE", locker, transaction))
                await lockTable.ExecuteNonQueryAsync();

            // The integrator's own query: a 400 that says what to do about it.
            using (var response = await anonymous.GetAsync(odata))
            {
                var body = await response.Content.ReadAsStringAsync();
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), body);
                Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
                Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
                Assert.That((string?)JsonNode.Parse(body)!["detail"], Does.Contain("longer than 0.2 s").And.Contain("$filter"));
            }
            // The API's own query: the database is too slow now, a 503 to retry.
            using (var response = await anonymous.GetAsync(rest))
            {
                var body = await response.Content.ReadAsStringAsync();
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), body);
                Assert.That(response.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(3)));
                Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
            }

            // Editors have no such limit: their read waits (PostgreSQL's own clock says for longer than the limit) and
            // is answered once the lock is gone.
            var preview = editor.GetAsync(rest);
            await using var watcher = new NpgsqlConnection(TestRun.ConnectionString);
            await watcher.OpenAsync();
            await using var waiting = new NpgsqlCommand(
                "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and now() - query_start > interval '1 second' and datname = current_database()",
                watcher);
            for (var attempt = 0; (long)(await waiting.ExecuteScalarAsync())! == 0; attempt++)
            {
                Assert.That(attempt, Is.LessThan(300), "the editor's read waits for the lock");
                Assert.That(preview.IsCompleted, Is.False, "the editor's read waits for the lock");
                await Task.Delay(50);
            }
            await transaction.RollbackAsync();
            using var answered = await preview;
            Assert.That(answered.StatusCode, Is.EqualTo(HttpStatusCode.OK), await answered.Content.ReadAsStringAsync());
        }

        // Nothing of the refusals was kept: the same queries are answered now.
        using (var response = await anonymous.GetAsync(odata))
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using (var response = await anonymous.GetAsync(rest))
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
    /// <summary>
    /// A client that goes away cancels its statement (PostgreSQL's 57014 too, "due to user request"): not a timeout to
    /// answer, nothing to log. With the limit off, only the client's leaving can end the wait.
    /// </summary>
    [Test]
    public async Task AQueryWhoseClientWentAwayIsCancelledInTheDatabaseAndNothingIsLogged()
    {
        await SaveAsync(Article("Övergiven fråga", tags: "trafik"));
        var logs = new LogRecorder();
        await using var api = new ContentApiFactory(TestRun.ConnectionString, TestRun.PhotoFolder,
            settings: new Dictionary<string, string?> { ["Database:AnonymousStatementTimeout"] = "00:00:00" }, logs: logs);
        api.UseKestrel(0);
        using var client = api.CreateClient();

        await using var locker = new NpgsqlConnection(TestRun.ConnectionString);
        await locker.OpenAsync();
        await using var transaction = await locker.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE articles IN ACCESS EXCLUSIVE MODE", locker, transaction))
            await lockTable.ExecuteNonQueryAsync();
        await using var watcher = new NpgsqlConnection(TestRun.ConnectionString);
        await watcher.OpenAsync();
        await using var waiting = new NpgsqlCommand(
            "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()", watcher);

        using var leave = new CancellationTokenSource();
        var request = client.GetAsync("/odata/Articles?$filter=contains(title,'fråga')", leave.Token);
        for (var attempt = 0; (long)(await waiting.ExecuteScalarAsync())! == 0; attempt++)
        {
            Assert.That(attempt, Is.LessThan(300), "the query waits for the lock");
            await Task.Delay(50);
        }
        await leave.CancelAsync();
        Assert.That(async () => await request, Throws.InstanceOf<OperationCanceledException>());
        for (var attempt = 0; (long)(await waiting.ExecuteScalarAsync())! > 0; attempt++)
        {
            Assert.That(attempt, Is.LessThan(300), "the statement was cancelled when its client went away, the lock still held");
            await Task.Delay(50);
        }
        await transaction.RollbackAsync();

        Assert.That(logs.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning || e.Exception is not null)
            .Select(e => $"{e.Category} {e.Level}: {e.Message}"), Is.Empty, "a client that went away is nothing to log");
    }
}
