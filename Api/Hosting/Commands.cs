using ContentApi.Infrastructure;
using ContentApi.Infrastructure.Seeding;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Api.Hosting;

/// <summary>
/// Administrative commands of the API, run instead of the web server:
/// <c>migrate</c>, <c>seed-demo</c>, <c>generate-articles N</c>.
/// </summary>
public static class Commands
{
    public const string Usage = """
        Commands (instead of serving):
          migrate                 apply pending database migrations and exit
          seed-demo               migrate, then seed the demo content if the database is empty
          generate-articles N     migrate, then add N generated articles for load tests
        """;

    /// <summary>Runs the command named by the arguments; false when there is none and the API should serve.</summary>
    public static async Task<bool> TryRunAsync(WebApplication app, string[] args)
    {
        var positional = args.Where(a => !a.StartsWith('-') && !a.Contains('=')).ToArray();
        if (positional.Length == 0)
            return false;

        await using var scope = app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<ContentDbContext>();
        var log = services.GetRequiredService<ILoggerFactory>().CreateLogger("ContentApi.Commands");
        switch (positional)
        {
            case ["migrate"]:
                await db.Database.MigrateAsync();
                log.LogInformation("Database is up to date.");
                break;
            case ["seed-demo"]:
                await db.Database.MigrateAsync();
                var seeded = await DemoContent.SeedAsync(db, services.GetRequiredService<PhotoStorage>());
                log.LogInformation(seeded ? "Demo content seeded." : "The database has content already; nothing seeded.");
                break;
            case ["generate-articles", var countText] when int.TryParse(countText, out var count) && count > 0:
                await db.Database.MigrateAsync();
                await LoadTestContent.GenerateAsync(db, services.GetRequiredService<PhotoStorage>(), count,
                    services.GetRequiredService<TimeProvider>());
                log.LogInformation("Generated {Count} articles.", count);
                break;
            default:
                Console.Error.WriteLine($"Unknown command '{string.Join(' ', positional)}'.\n{Usage}");
                Environment.ExitCode = 2;
                break;
        }
        return true;
    }

    /// <summary>In Development the API brings its own schema and demo content, so one command gives a working API.</summary>
    public static async Task PrepareDevelopmentDatabaseAsync(WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ContentDbContext>();
        await db.Database.MigrateAsync();
        await DemoContent.SeedAsync(db, scope.ServiceProvider.GetRequiredService<PhotoStorage>());
    }
}
