using Npgsql;

namespace ContentApi.Tests.Support;

/// <summary>
/// The streaming standby of the test PostgreSQL (CONTENTAPI_TEST_STANDBY, started by scripts/test beside its own cluster,
/// replaying each commit a second after the primary made it: recovery_min_apply_delay), shared by the standby tests.
/// </summary>
public static class TestStandby
{
    /// <summary>The standby's connection string for the test run's database; the tests are ignored where there is none.</summary>
    public static string ConnectionString()
    {
        var configured = Environment.GetEnvironmentVariable("CONTENTAPI_TEST_STANDBY");
        if (string.IsNullOrWhiteSpace(configured))
        {
            if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("CONTENTAPI_TEST_DB")))
                Assert.Ignore("Testcontainers: no standby container is started for these tests; scripts/test without Docker starts a standby beside its cluster.");
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
                Assert.Fail("CONTENTAPI_TEST_DB is set but CONTENTAPI_TEST_STANDBY is not: the standby tests must run in CI (scripts/test sets both).");
            Assert.Ignore("No standby: set CONTENTAPI_TEST_STANDBY to a streaming standby of CONTENTAPI_TEST_DB (scripts/test starts one).");
        }
        var database = new NpgsqlConnectionStringBuilder(TestRun.ConnectionString).Database;
        return new NpgsqlConnectionStringBuilder(configured) { Database = database }.ConnectionString;
    }

    /// <summary>Waits until the standby has replayed everything committed on the primary so far (the test database included).</summary>
    public static async Task CaughtUpAsync()
    {
        await using var primary = new NpgsqlConnection(TestRun.ConnectionString);
        await primary.OpenAsync();
        await using var position = new NpgsqlCommand("SELECT pg_current_wal_lsn()::text", primary);
        var target = (string)(await position.ExecuteScalarAsync())!;
        await using var standby = new NpgsqlConnection(Environment.GetEnvironmentVariable("CONTENTAPI_TEST_STANDBY"));
        await standby.OpenAsync();
        await using var replayed = new NpgsqlCommand("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn", standby);
        replayed.Parameters.Add(new() { Value = target });
        for (var deadline = DateTime.UtcNow.AddSeconds(30); !(bool)(await replayed.ExecuteScalarAsync())!; await Task.Delay(50))
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"the standby replayed up to {target}");
    }

    /// <summary>
    /// Stops the standby's replay until the result is disposed: behind for sure, whatever the machine's load (on top of
    /// the second's delay every commit already has there).
    /// </summary>
    public static async Task<IAsyncDisposable> PauseReplayAsync()
    {
        var standby = new NpgsqlConnection(Environment.GetEnvironmentVariable("CONTENTAPI_TEST_STANDBY"));
        await standby.OpenAsync();
        await using (var pause = new NpgsqlCommand("SELECT pg_wal_replay_pause()", standby))
            await pause.ExecuteNonQueryAsync();
        await using (var state = new NpgsqlCommand("SELECT pg_get_wal_replay_pause_state()", standby))
            for (var deadline = DateTime.UtcNow.AddSeconds(30); (string)(await state.ExecuteScalarAsync())! != "paused"; await Task.Delay(10))
                Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the standby's replay paused");
        return new Paused(standby);
    }

    private sealed class Paused(NpgsqlConnection standby) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await using (var resume = new NpgsqlCommand("SELECT pg_wal_replay_resume()", standby))
                await resume.ExecuteNonQueryAsync();
            await standby.DisposeAsync();
        }
    }
}
