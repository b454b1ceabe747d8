using System.IO.Compression;
using ContentApi.Domain;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ContentApi.Api.Caching;

/// <summary>
/// The server's own cache of anonymous answers. Each answer is tagged with the kinds of content it can contain; a saved
/// change evicts every answer that can contain what changed, so the next anonymous request sees it.
/// </summary>
public static class ContentOutputCache
{

    /// <summary>Every tag answers are stored under.</summary>
    public static readonly string[] AllTags = ["articles", "pledges", "photos", "contacts", "odata", "other"];

    // What each kind of content can appear in: its own routes, the routes that embed it, and every OData answer
    // ($expand can reach anything).
    private static readonly Dictionary<ContentKind, string[]> Evicts = new()
    {
        [ContentKind.Article] = ["articles", "pledges", "odata"],
        [ContentKind.Pledge] = ["pledges", "articles", "odata"],
        [ContentKind.Photo] = ["photos", "articles", "pledges", "odata"],
        [ContentKind.Contact] = ["contacts", "articles", "pledges", "odata"],
    };

    /// <summary>Compression, the output cache and HTTP caching headers.</summary>
    public static void AddDelivery(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddResponseCompression(options =>
        {
            options.EnableForHttps = true;
            options.Providers.Add<BrotliCompressionProvider>();
            options.Providers.Add<GzipCompressionProvider>();
            options.MimeTypes = [.. ResponseCompressionDefaults.MimeTypes, "application/problem+json"];
        });
        // Fastest: on small JSON bodies it compresses nearly as well as Optimal for a fraction of the CPU.
        services.Configure<BrotliCompressionProviderOptions>(options => options.Level = CompressionLevel.Fastest);
        services.Configure<GzipCompressionProviderOptions>(options => options.Level = CompressionLevel.Fastest);
        services.Configure<HttpCachingOptions>(configuration.GetSection(HttpCachingOptions.Section));
        services.AddContentOutputCache(configuration);
    }

    private static void AddContentOutputCache(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOutputCache(options =>
        {
            // Bounded: the cache never holds more than this, however many distinct queries arrive.
            options.SizeLimit = configuration.GetValue("OutputCache:SizeLimitBytes", 64L * 1024 * 1024);
            options.MaximumBodySize = 1024 * 1024;
            options.DefaultExpirationTimeSpan = TimeSpan.FromMinutes(10);
            // The base policy: it applies to every request and decides by itself what may be cached.
            options.AddBasePolicy(new AnonymousReadPolicy());
        });
        services.AddSingleton<IInterceptor, EvictOnSave>();
    }

    /// <summary>The tags of an answer, from its route family.</summary>
    public static string TagFor(PathString path) =>
        path.StartsWithSegments("/odata") ? "odata"
        : path.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries) is ["api", var family, ..] ? family
        : "other";

    /// <summary>Caches GET answers to callers without credentials, 200 only; everything else passes by.</summary>
    private sealed class AnonymousReadPolicy : IOutputCachePolicy
    {
        public ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
        {
            var request = context.HttpContext.Request;
            var anonymousRead = HttpMethods.IsGet(request.Method) && !HttpCachingMiddleware.HasCredentials(request)
                && (request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/odata"))
                && !request.Path.StartsWithSegments("/api/admin");
            context.EnableOutputCaching = anonymousRead;
            context.AllowCacheLookup = anonymousRead;
            context.AllowCacheStorage = anonymousRead;
            context.AllowLocking = true;
            context.CacheVaryByRules.QueryKeys = "*";
            context.CacheVaryByRules.HeaderNames = new("Accept");
            context.Tags.Add(TagFor(request.Path));
            return ValueTask.CompletedTask;
        }

        public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

        public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation)
        {
            var response = context.HttpContext.Response;
            // Errors, drafts shown to editors and anything marked private are never kept.
            // A 304 made from a whole 200 (NotModifiedMiddleware) is stored as that 200.
            var made = NotModifiedMiddleware.Converted(context.HttpContext) ? StatusCodes.Status200OK : response.StatusCode;
            if (made != StatusCodes.Status200OK
                || response.Headers.CacheControl.ToString().Contains("private", StringComparison.OrdinalIgnoreCase)
                || response.Headers.CacheControl.ToString().Contains("no-store", StringComparison.OrdinalIgnoreCase))
                context.AllowCacheStorage = false;
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>After content is saved (and only then), evicts the answers that can contain it.</summary>
    private sealed class EvictOnSave(IServiceProvider services) : SaveChangesInterceptor
    {
        private static readonly AsyncLocal<HashSet<ContentKind>?> Changed = new();

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
            CancellationToken cancellationToken = default)
        {
            Changed.Value = Kinds(eventData.Context);
            return base.SavingChangesAsync(eventData, result, cancellationToken);
        }

        public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result,
            CancellationToken cancellationToken = default)
        {
            if (Changed.Value is { Count: > 0 } kinds)
            {
                var store = services.GetRequiredService<IOutputCacheStore>();
                foreach (var tag in kinds.SelectMany(kind => Evicts[kind]).Distinct())
                    await store.EvictByTagAsync(tag, CancellationToken.None);
            }
            Changed.Value = null;
            return await base.SavedChangesAsync(eventData, result, cancellationToken);
        }

        private static HashSet<ContentKind> Kinds(DbContext? context) => context is null ? [] :
        [
            .. context.ChangeTracker.Entries()
                .Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
                .Select(e => e.Entity switch
                {
                    Article or ArticleContact or SlugRedirect => ContentKind.Article,
                    Pledge => ContentKind.Pledge,
                    Photo => ContentKind.Photo,
                    Contact => ContentKind.Contact,
                    _ => (ContentKind?)null,
                })
                .OfType<ContentKind>(),
        ];
    }
}
