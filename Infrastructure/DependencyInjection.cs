using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ContentApi.Infrastructure;

public static class DependencyInjection
{
    public static void AddInfrastructure(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString("ContentDb")
            ?? throw new InvalidOperationException(
                "No database configured: set ConnectionStrings:ContentDb (environment variable ConnectionStrings__ContentDb).");

        // Pooled: reads create a context per request, and a pooled one skips most of the set-up.
        builder.Services.AddDbContextPool<ContentDbContext>((services, options) => options
            .UseNpgsql(connectionString, npgsql => npgsql.MigrationsAssembly(typeof(ContentDbContext).Assembly.FullName))
            .UseSnakeCaseNamingConvention()
            // Interceptors registered by the host (the API evicts its output cache after content is saved).
            .AddInterceptors(services.GetServices<IInterceptor>()));

        builder.Services.Configure<PhotoStorageOptions>(builder.Configuration.GetSection(PhotoStorageOptions.Section));
        builder.Services.AddSingleton<PhotoStorage>();
        builder.Services.AddSingleton(TimeProvider.System);
    }
}
