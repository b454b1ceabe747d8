using Npgsql;
using DotNet.Testcontainers.Builders;
using Testcontainers.PostgreSql;

using ContentApi.Tests;

namespace ContentApi.Tests.Support;

/// <summary>
/// The PostgreSQL the tests run against: a server named by CONTENTAPI_TEST_DB (what scripts/test starts when no Docker
/// engine is available), otherwise a Testcontainers container. Each run gets a database of its own.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private PostgreSqlContainer? _container;
    private string _adminConnectionString = "";
    private string _databaseName = "";

    public string ConnectionString { get; private set; } = "";

    public async Task StartAsync()
    {
        var configured = Environment.GetEnvironmentVariable("CONTENTAPI_TEST_DB");
        if (string.IsNullOrWhiteSpace(configured))
        {
            // As scripts/postgres.sh: the run holds several API hosts at once, more than the default 100 connections.
            _container = new PostgreSqlBuilder("postgres:15").WithCommand("-c", "max_connections=300").Build();
            try
            {
                await _container.StartAsync();
            }
            catch (DockerUnavailableException e)
            {
                throw new InvalidOperationException(
                    "No database for the tests: no Docker engine for Testcontainers and no CONTENTAPI_TEST_DB. "
                    + "Run the tests with scripts/test, which starts a PostgreSQL of its own when Docker is missing.", e);
            }
            configured = _container.GetConnectionString();
        }
        _adminConnectionString = configured;
        _databaseName = $"contentapi_test_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(_adminConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_databaseName}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        ConnectionString = new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = _databaseName }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
            return;
        }
        if (_databaseName.Length == 0)
            return;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_databaseName}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
