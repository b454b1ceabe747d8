using ContentApi.Api.Auth;
using ContentApi.Domain;
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
          apikey create --name NAME --role editor|publisher|admin
                                  make an API key and print it (once; only its hash is kept)
          apikey list             list the keys: id, name, role, created, last used, revoked
          apikey revoke ID        revoke a key
        """;

    // Anything else on the command line is configuration ("--urls ...", "Key=value") for the web server.
    private static bool IsCommand(string[] args) => args.Length > 0 && !args[0].StartsWith('-') && !args[0].Contains('=');

    /// <summary>
    /// A command's standard output is its result alone (<c>KEY=$(scripts/run apikey create …)</c>): its log, such as
    /// the migrations it applies, goes to standard error.
    /// </summary>
    public static void ConfigureLogging(WebApplicationBuilder builder, string[] args)
    {
        if (IsCommand(args))
            builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(
                options => options.LogToStandardErrorThreshold = LogLevel.Trace);
    }

    /// <summary>Runs the command named by the arguments; false when there is none and the API should serve.</summary>
    public static async Task<bool> TryRunAsync(WebApplication app, string[] args)
    {
        if (!IsCommand(args))
            return false;
        var positional = args;

        await using var scope = app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<ContentDbContext>();
        var log = services.GetRequiredService<ILoggerFactory>().CreateLogger("ContentApi.Commands");
        switch (positional)
        {
            case ["migrate"]:
                await db.MigrateAsync();
                log.LogInformation("Database is up to date.");
                break;
            case ["seed-demo"]:
                await db.MigrateAsync();
                var seeded = await DemoContent.SeedAsync(db, services.GetRequiredService<PhotoStorage>());
                log.LogInformation(seeded ? "Demo content seeded." : "The database has content already; nothing seeded.");
                break;
            case ["generate-articles", var countText] when int.TryParse(countText, out var count) && count > 0:
                await db.MigrateAsync();
                await LoadTestContent.GenerateAsync(db, services.GetRequiredService<PhotoStorage>(), count,
                    services.GetRequiredService<TimeProvider>());
                log.LogInformation("Generated {Count} articles.", count);
                break;
            case ["apikey", "create", .. var options]:
                await CreateApiKeyAsync(db, services.GetRequiredService<TimeProvider>(), Option(options, "--name"), Option(options, "--role"));
                break;
            case ["apikey", "list"]:
                foreach (var key in await db.ApiKeys.AsNoTracking().OrderBy(k => k.CreatedAt).ToListAsync())
                    Console.WriteLine($"{key.Id}  {key.Name,-20} {key.Role,-10} {key.Prefix}…  created {key.CreatedAt:u}  "
                        + $"last used {(key.LastUsedAt is { } used ? used.ToString("u") : "never")}{(key.RevokedAt is null ? "" : "  REVOKED")}");
                break;
            case ["apikey", "revoke", var idText] when Guid.TryParse(idText, out var id):
                var revoked = await db.ApiKeys.Where(k => k.Id == id && k.RevokedAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, services.GetRequiredService<TimeProvider>().GetUtcNow()));
                Console.WriteLine(revoked == 1 ? $"Revoked {id}." : $"No active key {id}.");
                Environment.ExitCode = revoked == 1 ? 0 : 1;
                break;
            default:
                Console.Error.WriteLine($"Unknown command '{string.Join(' ', positional)}'.\n{Usage}");
                Environment.ExitCode = 2;
                break;
        }
        return true;
    }

    private static string? Option(string[] options, string name)
    {
        var index = Array.IndexOf(options, name);
        return index >= 0 && index + 1 < options.Length ? options[index + 1] : null;
    }

    private static async Task CreateApiKeyAsync(ContentDbContext db, TimeProvider clock, string? name, string? role)
    {
        var errors = ApiKeys.Validate(name, role);
        if (!errors.IsEmpty)
        {
            Console.Error.WriteLine($"{errors}\n{Usage}");
            Environment.ExitCode = 2;
            return;
        }
        await db.MigrateAsync();
        var (key, secret) = ApiKeys.Create(name!, role!, clock.GetUtcNow());
        db.ApiKeys.Add(key);
        db.AuditEntries.Add(new AuditEntry
        {
            At = clock.GetUtcNow(), Actor = "command line", Action = "apikey.created", TargetType = "ApiKey", TargetId = key.Id,
            Status = 200, Details = $"{key.Name} ({key.Role})",
        });
        await db.SaveChangesAsync();
        // The only time the key is shown: it is not stored, only its hash.
        Console.WriteLine(secret);
        Console.Error.WriteLine($"Created API key '{key.Name}' with role {key.Role} (id {key.Id}). Keep it secret; it will not be shown again.");
    }

    /// <summary>In Development the API brings its own schema and demo content, so one command gives a working API.</summary>
    public static async Task PrepareDevelopmentDatabaseAsync(WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ContentDbContext>();
        await db.MigrateAsync();
        await DemoContent.SeedAsync(db, scope.ServiceProvider.GetRequiredService<PhotoStorage>());
    }
}
