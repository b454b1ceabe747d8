using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ContentApi.Infrastructure;

public static class DependencyInjection
{
    public static void AddInfrastructure(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString("ContentDb")
            ?? throw new InvalidOperationException(
                "No database configured: set ConnectionStrings:ContentDb (environment variable ConnectionStrings__ContentDb).");

        // Pooled: reads create a context per request, and a pooled one skips most of the set-up. Three faces, three
        // pools: the store (ContentDbContext, every write) on connections that prepare nothing; the delivery face
        // (anonymous reads, their statements time-limited) and the read-only preview face on read-only connections
        // where the hot reads are prepared (PreparedReads). The host's interceptors (the API's answer and count caches, eviction on save) serve
        // the store and the delivery face: editors' reads are never cached.
        var database = builder.Configuration.GetSection(DatabaseOptions.Section);
        builder.Services.Configure<DatabaseOptions>(database);
        var write = WriteConnectionString(connectionString);
        var read = ReadConnectionString(connectionString);
        // Anonymous readers' statements are bounded (Database:AnonymousStatementTimeout): a pool of their own.
        var delivery = DeliveryConnectionString(read, database.Get<DatabaseOptions>() ?? new DatabaseOptions());
        builder.Services.AddDbContextPool<ContentDbContext>((services, options) =>
            Configure(options, write).AddInterceptors(services.GetServices<IInterceptor>()));
        builder.Services.AddDbContextPool<DeliveryDbContext>((services, options) =>
            Configure(options, delivery).AddInterceptors([Prepare, .. services.GetServices<IInterceptor>()]));
        // Editors read the committed state of the same server, the primary: their write answers are read after the commit
        // (a standby, ContentDbStandby, serves anonymous reads only).
        builder.Services.AddDbContextPool<PreviewDbContext>((_, options) => Configure(options, read).AddInterceptors(Prepare));
        AddStandby(builder, read, database.Get<DatabaseOptions>() ?? new DatabaseOptions());

        builder.Services.Configure<PhotoStorageOptions>(builder.Configuration.GetSection(PhotoStorageOptions.Section));
        builder.Services.AddSingleton<PhotoStorage>();
        builder.Services.AddSingleton(TimeProvider.System);
    }

    /// <summary>
    /// The standby for anonymous reads (ConnectionStrings:ContentDbStandby, optional): a pool of its own with the
    /// delivery face's settings, read when <see cref="Standby"/> says it is current. A second connection string rather
    /// than one multi-host string (Target Session Attributes=prefer-standby): the position checked must be that of the
    /// server read, which Npgsql's choice per connection does not promise, and editors, writes, the sync and webhooks
    /// stay on ContentDb without a second set of pools.
    /// </summary>
    private static void AddStandby(IHostApplicationBuilder builder, string primaryRead, DatabaseOptions database)
    {
        builder.Services.Configure<StandbyOptions>(builder.Configuration.GetSection(StandbyOptions.Section));
        var standby = builder.Configuration.GetConnectionString("ContentDbStandby");
        var configured = !string.IsNullOrWhiteSpace(standby);
        builder.Services.AddSingleton(services => new Standby(
            configured ? DeliveryConnectionString(ReadConnectionString(standby!), database) : null, primaryRead,
            services.GetRequiredService<IOptions<StandbyOptions>>(), services.GetRequiredService<ILogger<Standby>>()));
        if (configured)
            builder.Services.AddDbContextPool<StandbyDbContext>((services, options) =>
                Conventions(options.UseNpgsql(services.GetRequiredService<Standby>().DataSource!, ContentDbContext.ConfigureNpgsql))
                    .AddInterceptors([Prepare, .. services.GetServices<IInterceptor>().Where(i => i is not IPrimaryOnlyInterceptor)]));
    }

    private static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, string connectionString) =>
        Conventions(options.UseNpgsql(connectionString, ContentDbContext.ConfigureNpgsql));

    private static DbContextOptionsBuilder Conventions(DbContextOptionsBuilder options) => options
            .UseSnakeCaseNamingConvention()
            // EF Core logs every failed command as an error, also those the API answers with a 4xx (a NUL byte or a
            // division by zero from a client, a conflicting write) and the missing history table on a first migrate.
            // A failure the API does not handle is logged as a 500 by ASP.NET Core's exception handler. Debug, not
            // Information: each of these carries the whole stack trace, and while the database is unreachable every
            // request fails so (the API logs the outage once instead: DatabaseOutage).
            .ConfigureWarnings(warnings => warnings.Log(
                (RelationalEventId.CommandError, LogLevel.Debug),
                (CoreEventId.QueryIterationFailed, LogLevel.Debug),
                (CoreEventId.SaveChangesFailed, LogLevel.Debug),
                (RelationalEventId.ConnectionError, LogLevel.Debug),
                // A commit refused by a deferred check (a photo deleted while an article was saved showing it: a 409).
                (RelationalEventId.TransactionError, LogLevel.Debug)));

    private static readonly PreparedReads Prepare = new();

    /// <summary>
    /// The connections that write: Npgsql prepares nothing automatically, whatever the configured string says. Npgsql
    /// 10 corrupts a connection's automatically prepared statements after a failed statement (npgsql/npgsql#6391,
    /// open), and writes are what fail inside transactions (a conflicting version, a deferred check).
    /// </summary>
    public static string WriteConnectionString(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = 0 }.ConnectionString;

    /// <summary>
    /// The connections that read: sessions PostgreSQL keeps read-only (a write through them is refused), where the hot
    /// reads are prepared explicitly (<see cref="PreparedReads"/> says why not automatically).
    /// </summary>
    public static string ReadConnectionString(string connectionString)
    {
        var read = new NpgsqlConnectionStringBuilder(WriteConnectionString(connectionString));
        // No JIT: PostgreSQL compiles a plan whose estimated cost passes jit_above_cost (a search's walk, an OData
        // $apply), which took 50-300 ms, more than such a query runs (an $apply at 100,000 articles: 0.53 s without,
        // 0.69-1.1 s with).
        read.Options = $"{read.Options} -c default_transaction_read_only=on -c jit=off".Trim();
        // A connection back in the pool is not reset: reads change no session state a reset would undo, and with
        // statements prepared Npgsql's reset is seven statements (it cannot DISCARD ALL), sent with every read
        // (measured: 8 statements per article instead of 1).
        read.NoResetOnClose = true;
        return read.ConnectionString;
    }

    /// <summary>
    /// The delivery face's connections: read connections whose statements PostgreSQL cancels after
    /// <see cref="DatabaseOptions.AnonymousStatementTimeout"/> (SQLSTATE 57014, "canceling statement due to statement
    /// timeout"), so an anonymous reader's heavy query cannot hold a connection.
    /// </summary>
    public static string DeliveryConnectionString(string readConnectionString, DatabaseOptions options)
    {
        if (options.AnonymousStatementTimeout <= TimeSpan.Zero)
            return readConnectionString;
        var delivery = new NpgsqlConnectionStringBuilder(readConnectionString);
        var milliseconds = Math.Max(1, (long)options.AnonymousStatementTimeout.TotalMilliseconds);
        delivery.Options = $"{delivery.Options} -c statement_timeout={milliseconds}".Trim();
        return delivery.ConnectionString;
    }
}
