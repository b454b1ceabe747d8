using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ContentApi.Infrastructure;

public static class DependencyInjection
{
    public static void AddInfrastructure(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString("ContentDb")
            ?? throw new InvalidOperationException(
                "No database configured: set ConnectionStrings:ContentDb (environment variable ConnectionStrings__ContentDb).");

        // Pooled: reads create a context per request, and a pooled one skips most of the set-up. The store (also the
        // delivery face) and the read-only preview face share one configuration.
        // The host's interceptors (the API's answer and count caches) serve the store and delivery face only: editors'
        // reads are never cached.
        builder.Services.AddDbContextPool<ContentDbContext>((services, options) =>
            Configure(options).AddInterceptors(services.GetServices<IInterceptor>()));
        builder.Services.AddDbContextPool<PreviewDbContext>((_, options) => Configure(options));

        DbContextOptionsBuilder Configure(DbContextOptionsBuilder options) => options
            .UseNpgsql(connectionString, ContentDbContext.ConfigureNpgsql)
            .UseSnakeCaseNamingConvention()
            // EF Core logs every failed command as an error, also those the API answers with a 4xx (a NUL byte or a
            // division by zero from a client, a conflicting write) and the missing history table on a first migrate.
            // A failure the API does not handle is logged as a 500 by ASP.NET Core's exception handler.
            .ConfigureWarnings(warnings => warnings.Log(
                (RelationalEventId.CommandError, LogLevel.Information),
                (CoreEventId.QueryIterationFailed, LogLevel.Information),
                (CoreEventId.SaveChangesFailed, LogLevel.Information),
                // A commit refused by a deferred check (a photo deleted while an article was saved showing it: a 409).
                (RelationalEventId.TransactionError, LogLevel.Information)));

        builder.Services.Configure<PhotoStorageOptions>(builder.Configuration.GetSection(PhotoStorageOptions.Section));
        builder.Services.AddSingleton<PhotoStorage>();
        builder.Services.AddSingleton(TimeProvider.System);
    }
}
