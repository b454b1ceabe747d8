using ContentApi.Infrastructure;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

using ContentApi.Tests;

namespace ContentApi.Tests.Support;

/// <summary>The API on a real Kestrel socket, against the test database, with a clock the tests set.</summary>
/// <remarks>
/// <paramref name="settings"/> adds or overrides configuration; a key given null is left to the API's default
/// (OpenApi:Enabled, which the tests otherwise turn on, is off outside Development). <paramref name="logs"/> records
/// what it logs.
/// </remarks>
public sealed class ContentApiFactory(string connectionString, string photoFolder, TimeSpan? schedulePollInterval = null,
    bool warmup = false, IReadOnlyDictionary<string, string?>? settings = null, LogRecorder? logs = null)
    : WebApplicationFactory<Program>
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<ContentApiFactory, bool> Started = new();

    /// <summary>Every API host of the test run that has started and not been disposed.</summary>
    public static IEnumerable<ContentApiFactory> Running => Started.Keys;

    public TestClock Clock { get; } = new();
    public SqlCounter Sql { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:ContentDb", connectionString);
        builder.UseSetting("PhotoStorage:Path", photoFolder);
        // Small limits, so the refusals can be tested with small files (the defaults are 25 MB and 60 megapixels).
        builder.UseSetting("Photos:MaxUploadBytes", (2 * 1024 * 1024).ToString());
        builder.UseSetting("Photos:MaxPixels", "5000000");
        // Tests run due schedules themselves, so the background runner must not race them (one test starts its own host).
        builder.UseSetting("Schedules:PollInterval", (schedulePollInterval ?? TimeSpan.FromHours(1)).ToString());
        // The warm-up's reads would race the tests that count SQL commands; its own test turns it on.
        builder.UseSetting("Warmup:Enabled", warmup.ToString());
        // Nothing polls a test server's readiness: it stops at once.
        builder.UseSetting("Shutdown:ReadinessDelay", "00:00:00");
        // Swagger UI and the document are served in Development only by default; the tests read them.
        if (settings?.ContainsKey("OpenApi:Enabled") != true)
            builder.UseSetting("OpenApi:Enabled", "true");
        // Rate limits stay on, far above what any test sends; the tests of the limits start a host with small ones.
        foreach (var rule in new[] { "Anonymous", "Authenticated", "FailedAuthentication" })
            builder.UseSetting($"RateLimits:{rule}:PermitLimit", "100000000");
        // Refused requests are written to the audit log when a test flushes them, not by the background flush.
        builder.UseSetting("Audit:FlushInterval", TimeSpan.FromHours(1).ToString());
        // Webhooks are sent by the hosts their tests start (Tests/Webhooks), not by every host: a sender's background
        // queries would race the tests that count SQL commands.
        builder.UseSetting("Webhooks:Enabled", "false");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            if (value is not null)
                builder.UseSetting(key, value);
        builder.ConfigureLogging(logging =>
        {
            logging.AddProvider(new ErrorFileLog(Path.Combine(AppContext.BaseDirectory, "server-errors.log")));
            if (logs is not null)
                logging.AddProvider(logs);
        });
        builder.ConfigureServices(services =>
        {
            services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock));
            services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, TestAuth.Configure);
            services.AddSingleton<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>(Sql);
            // Every host of a test run has its own interceptors (its SqlCounter, its store's), so EF Core makes internal
            // service providers per host; a run starts more hosts than the twenty after which EF Core calls that a leak.
            services.ConfigureDbContext<ContentDbContext>(TolerateManyHosts);
            services.ConfigureDbContext<DeliveryDbContext>(TolerateManyHosts);
            services.ConfigureDbContext<PreviewDbContext>(TolerateManyHosts);
            services.ConfigureDbContext<StandbyDbContext>(TolerateManyHosts);
        });
    }

    protected override Microsoft.Extensions.Hosting.IHost CreateHost(Microsoft.Extensions.Hosting.IHostBuilder builder)
    {
        var host = base.CreateHost(builder);
        Started[this] = true;
        return host;
    }

    public override async ValueTask DisposeAsync()
    {
        Started.TryRemove(this, out _);
        await base.DisposeAsync();
    }

    private static void TolerateManyHosts(Microsoft.EntityFrameworkCore.DbContextOptionsBuilder options) =>
        options.ConfigureWarnings(warnings => warnings.Ignore(Microsoft.EntityFrameworkCore.Diagnostics.CoreEventId.ManyServiceProvidersCreatedWarning));

    /// <summary>What a host with this one setting fails to start with.</summary>
    public static string StartupError(string name, string value)
    {
        using var host = new ContentApiFactory(TestRun.ConnectionString, TestRun.PhotoFolder, settings: new Dictionary<string, string?> { [name] = value });
        return Assert.Catch(() => host.CreateClient())!.ToString();
    }

    public ContentDbContext CreateDbContext()
    {
        var scope = Services.CreateScope();
        return scope.ServiceProvider.GetRequiredService<ContentDbContext>();
    }
}

/// <summary>A clock that stands still where a test puts it.</summary>
public sealed class TestClock : TimeProvider
{
    public DateTimeOffset Now { get; set; } = new(2024, 6, 15, 10, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Now;
}
