using ContentApi.Api.Auth;
using ContentApi.Api.Caching;
using ContentApi.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using ContentApi.Tests.Support;
using Respawn;

namespace ContentApi.Tests;

/// <summary>One database and one running API for the whole test run; the data is reset before each test.</summary>
[SetUpFixture]
public class TestRun
{
    private static TestDatabase? _database;
    private static ContentApiFactory? _factory;
    private static Respawner? _respawner;
    private static string _photoFolder = "";

    public static ContentApiFactory Factory => _factory ?? throw new InvalidOperationException("The test run has not started.");
    public static HttpClient Client { get; private set; } = null!;
    public static string PhotoFolder => _photoFolder;
    public static string ConnectionString => _database!.ConnectionString;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _database = new TestDatabase();
        await _database.StartAsync();
        _photoFolder = Directory.CreateTempSubdirectory("contentapi-photos-").FullName;

        _factory = new ContentApiFactory(_database.ConnectionString, _photoFolder);
        _factory.UseKestrel(0);
        _factory.StartServer();
        Client = _factory.CreateClient();

        await using (var db = _factory.CreateDbContext())
            await db.MigrateAsync();

        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        _respawner = await Respawner.CreateAsync(connection, new RespawnerOptions
        {
            DbAdapter = DbAdapter.Postgres,
            // The change log's positions go on rising across tests, as in production.
            TablesToIgnore = ["__EFMigrationsHistory", "change_log_state"],
        });
    }

    public static async Task ResetAsync()
    {
        // Refusals counted by the test before are written now, so that the reset removes them too.
        await Factory.Services.GetRequiredService<FailedAuthentications>().FlushAsync();
        await using var connection = new NpgsqlConnection(_database!.ConnectionString);
        await connection.OpenAsync();
        // A webhook sender of the test before may still be fanning out or leasing deliveries: emptying the tables in
        // Respawn's order can deadlock with it (PostgreSQL aborts one of the two). Ours is then done again.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _respawner!.ResetAsync(connection);
                break;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DeadlockDetected && attempt < 5)
            {
                await Task.Delay(100 * attempt);
            }
        }
        // Emptying published content notifies its removal: heard before the test, it cannot evict the test's answers.
        await DeliverySupport.ChangesHeardAsync();
        // The tables were emptied behind the API's back: its store of answers must forget what it held.
        DeliverySupport.Store.Clear();
        Factory.Services.GetRequiredService<CountCache>().Clear();
        Factory.Clock.Now = new DateTimeOffset(2024, 6, 15, 10, 0, 0, TimeSpan.Zero);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        Client?.Dispose();
        if (_factory is not null)
            await _factory.DisposeAsync();
        if (_database is not null)
            await _database.DisposeAsync();
        if (_photoFolder.Length > 0 && Directory.Exists(_photoFolder))
            Directory.Delete(_photoFolder, recursive: true);
    }
}
