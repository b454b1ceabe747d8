using System.Data;
using System.Net;
using ContentApi.Api.Caching;
using ContentApi.Infrastructure;
using ContentApi.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Delivery;

/// <summary>
/// Writes go through connections that prepare nothing; reads through read-only connections where the hot reads are
/// prepared explicitly (Infrastructure/PreparedReads.cs), because Npgsql 10 corrupts a connection's automatically
/// prepared statements after a statement fails in the round trip that prepares it (npgsql/npgsql#6391). Each test runs
/// on a pool of one connection, so that what a failure leaves behind meets the next command, and configures automatic
/// preparation on every use, as #6391's repro does: the API must turn it off.
/// </summary>
public class PreparedReadTests : ApiTest
{
    private const int Iterations = 25;

    private static string OneConnection(Func<string, string> kind) =>
        kind(TestRun.ConnectionString + ";Maximum Pool Size=1;Max Auto Prepare=10;Auto Prepare Min Usages=1");

    [Test]
    public async Task TheWritePatternOfNpgsql6391IsSafeOnTheWriteConnectionsEvenWhenPreparingIsConfigured()
    {
        var table = $"prepared_{Guid.NewGuid():N}";
        await using var source = NpgsqlDataSource.Create(OneConnection(DependencyInjection.WriteConnectionString));
        await using (var create = source.CreateCommand($"CREATE TABLE {table} (id serial PRIMARY KEY, value varchar(10) NOT NULL)"))
            await create.ExecuteNonQueryAsync();
        try
        {
            var insert = $"INSERT INTO {table} (value) VALUES (@value) RETURNING id";
            for (var i = 1; i <= Iterations; i++)
            {
                await using (var connection = await source.OpenConnectionAsync())
                {
                    await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted);
                    await using var failing = new NpgsqlCommand(insert, connection, transaction) { Parameters = { new("value", "Too long, will error.") } };
                    Assert.ThrowsAsync<PostgresException>(() => failing.ExecuteNonQueryAsync());
                    await transaction.RollbackAsync();
                }
                await using (var connection = await source.OpenConnectionAsync())
                {
                    await using var fine = new NpgsqlCommand(insert, connection) { Parameters = { new("value", $"ok {i}") } };
                    var id = (int)(await fine.ExecuteScalarAsync())!;
                    await using var read = new NpgsqlCommand($"SELECT value FROM {table} WHERE id = @id", connection) { Parameters = { new("id", id) } };
                    Assert.That(await read.ExecuteScalarAsync(), Is.EqualTo($"ok {i}"));
                    Assert.That(fine.IsPrepared, Is.False, "the write connections prepare nothing");
                }
            }
        }
        finally
        {
            await using var drop = source.CreateCommand($"DROP TABLE {table}");
            await drop.ExecuteNonQueryAsync();
        }
    }

    [Test]
    public async Task ReadsThatFailLeaveTheReadConnectionAndItsPreparedStatementsCorrect()
    {
        await using var source = NpgsqlDataSource.Create(OneConnection(DependencyInjection.ReadConnectionString));
        int backend;
        await using (var connection = await source.OpenConnectionAsync())
            backend = connection.ProcessID;

        for (var i = 1; i <= Iterations; i++)
        {
            // Failures PostgreSQL reports while it executes: of statements the API does not prepare, run twice (with
            // automatic preparation the second run would prepare them, and corrupt the connection), and of a prepared
            // one; in a transaction that is rolled back too (#6391's pattern, with reads).
            foreach (var prepare in new[] { false, false, true })
            {
                await ExpectFailureAsync(source, "SELECT 10 / @n", 0, "22012", prepare);
                await ExpectFailureAsync(source, "SELECT @t::text::int", "x", "22P02", prepare);
                await ExpectFailureAsync(source, "SELECT 100 / @n", 0, "22012", prepare, inTransaction: true);
            }
            // A prepared statement cancelled while it runs.
            await using (var connection = await source.OpenConnectionAsync())
            {
                await using var slow = new NpgsqlCommand("SELECT pg_sleep(@s)", connection) { Parameters = { new("s", 5.0) } };
                await slow.PrepareAsync();
                using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
                Assert.CatchAsync(() => slow.ExecuteScalarAsync(cancel.Token));
            }

            await using (var connection = await source.OpenConnectionAsync())
            {
                Assert.That(connection.ProcessID, Is.EqualTo(backend), "one connection throughout");
                Assert.That(await ScalarAsync(connection, "SELECT 10 / @n", i, prepare: true), Is.EqualTo(10 / i));
                Assert.That(await ScalarAsync(connection, "SELECT @t::text::int", $"{i}", prepare: false), Is.EqualTo(i));
                Assert.That(await ScalarAsync(connection, "SELECT 100 / @n", i, prepare: false), Is.EqualTo(100 / i));
                await using var rows = new NpgsqlCommand("SELECT g, g * g FROM generate_series(1, @n) g", connection) { Parameters = { new("n", i) } };
                await rows.PrepareAsync();
                await using var reader = await rows.ExecuteReaderAsync();
                var read = 0;
                while (await reader.ReadAsync())
                {
                    read++;
                    Assert.That((reader.GetInt32(0), reader.GetInt32(1)), Is.EqualTo((read, read * read)));
                }
                Assert.That(read, Is.EqualTo(i));
                Assert.That(rows.IsPrepared, Is.True);
            }
        }
    }

    [Test]
    public async Task AWriteThroughTheReadConnectionsIsRefusedByPostgreSql()
    {
        await SaveAsync(Article("Nyhet"));
        using var scope = TestRun.Factory.Services.CreateScope();
        var delivery = scope.ServiceProvider.GetRequiredService<DeliveryDbContext>();
        var refused = Assert.ThrowsAsync<PostgresException>(() => delivery.Database.ExecuteSqlRawAsync("UPDATE articles SET title = 'Ändrad'"));
        Assert.That(refused!.SqlState, Is.EqualTo(PostgresErrorCodes.ReadOnlySqlTransaction));
        var preview = scope.ServiceProvider.GetRequiredService<PreviewDbContext>();
        refused = Assert.ThrowsAsync<PostgresException>(() => preview.Database.ExecuteSqlRawAsync("DELETE FROM articles"));
        Assert.That(refused!.SqlState, Is.EqualTo(PostgresErrorCodes.ReadOnlySqlTransaction));
        Assert.That((string?)(await GetJson("/api/articles/by-slug/nyhet", forget: true))["title"], Is.EqualTo("Nyhet"));
    }

    [Test]
    public async Task TheApisHotReadsArePreparedAndStayCorrectAfterReadsThatFailWhileItsWritesPrepareNothing()
    {
        var articles = Enumerable.Range(1, 5).Select(n => Article($"Nyhet {n}", minutesAfterBase: n, tags: "trafik")).ToArray();
        await SaveAsync(articles);
        // A host of its own whose pools hold one connection each, with automatic preparation configured: what the reads
        // prepare and what a failed read leaves behind meet every later read.
        await using var host = new ContentApiFactory(
            TestRun.ConnectionString + ";Maximum Pool Size=1;Max Auto Prepare=10;Auto Prepare Min Usages=1", TestRun.PhotoFolder);
        using var client = host.CreateClient();
        var store = host.Services.GetRequiredService<ResponseStore>();

        for (var i = 0; i < Iterations; i++)
        {
            store.Clear();
            foreach (var failing in new[] { "/odata/Articles?$filter=length(title) div 0 eq 1", "/odata/Articles?$filter=length(title) div 0 eq 1",
                         "/odata/Articles/$count?$filter=1 div 0 eq 1" })
            {
                using var failed = await client.GetAsync(failing);
                Assert.That(failed.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), failing);
            }
            var article = articles[i % articles.Length];
            var byId = await client.GetStringAsync($"/api/articles/{article.Id}");
            Assert.That(byId, Does.Contain($"\"title\":\"{article.Title}\""));
            var bySlug = await client.GetStringAsync($"/api/articles/by-slug/{article.Slug}");
            Assert.That(bySlug, Is.EqualTo(byId));
            var list = await client.GetStringAsync("/api/articles?tag=trafik&pageSize=2");
            Assert.That(list, Does.Contain("\"totalCount\":5").And.Contain("\"title\":\"Nyhet 5\"").And.Contain("\"title\":\"Nyhet 4\""));
        }

        using var scope = host.Services.CreateScope();
        var prepared = await PreparedAsync(scope.ServiceProvider.GetRequiredService<DeliveryDbContext>());
        Assert.That(prepared, Has.Some.Contains("a.id = $1"), "the article by id is prepared on the read connection");
        Assert.That(prepared, Has.Some.Contains("a.slug = $1"), "the article by slug is prepared on the read connection");
        Assert.That(prepared, Has.All.StartWith("-- " + PreparedReads.Tag), "only the tagged reads are prepared");
        var writes = scope.ServiceProvider.GetRequiredService<ContentDbContext>();
        writes.Contacts.Add(Contact());
        await writes.SaveChangesAsync();
        Assert.That(await PreparedAsync(writes), Is.Empty, "the write connection prepares nothing");
    }

    private static async Task<List<string>> PreparedAsync(ContentDbContext db) =>
        await db.Database.SqlQueryRaw<string>("SELECT statement AS \"Value\" FROM pg_prepared_statements").ToListAsync();

    private static async Task ExpectFailureAsync(NpgsqlDataSource source, string sql, object value, string sqlState, bool prepare,
        bool inTransaction = false)
    {
        await using var connection = await source.OpenConnectionAsync();
        await using var transaction = inTransaction ? await connection.BeginTransactionAsync() : null;
        await using var command = Command(connection, sql, value);
        command.Transaction = transaction;
        if (prepare)
            await command.PrepareAsync();
        Assert.That(Assert.ThrowsAsync<PostgresException>(() => command.ExecuteScalarAsync())!.SqlState, Is.EqualTo(sqlState));
        if (transaction is not null)
            await transaction.RollbackAsync();
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, object value, bool prepare)
    {
        await using var command = Command(connection, sql, value);
        if (prepare)
            await command.PrepareAsync();
        return await command.ExecuteScalarAsync();
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, object value) =>
        new(sql, connection) { Parameters = { new(sql.Contains("@n") ? "n" : "t", value) } };
}
