using System.Data.Common;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using ContentApi.Domain;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;

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
        services.AddSingleton<IResponseCompressionProvider, ThresholdCompressionProvider>();
        services.Configure<CompressionOptions>(configuration.GetSection(CompressionOptions.Section));
        // Fastest: on small JSON bodies it compresses nearly as well as Optimal for a fraction of the CPU.
        services.Configure<BrotliCompressionProviderOptions>(options => options.Level = CompressionLevel.Fastest);
        services.Configure<GzipCompressionProviderOptions>(options => options.Level = CompressionLevel.Fastest);
        services.Configure<HttpCachingOptions>(configuration.GetSection(HttpCachingOptions.Section));
        services.AddContentOutputCache(configuration);
    }

    /// <summary>
    /// Compresses only bodies worth it: below <see cref="CompressionOptions.MinimumBytes"/> (a body of that size fits in
    /// one TCP packet either way) compression costs CPU and saves nothing. Every JSON and XML answer of the API states
    /// its length (HttpCachingMiddleware, the output cache), so the size is known before the first byte is written.
    /// </summary>
    private sealed class ThresholdCompressionProvider(IServiceProvider services, IOptions<ResponseCompressionOptions> options,
        IOptions<CompressionOptions> threshold) : ResponseCompressionProvider(services, options)
    {
        public override bool ShouldCompressResponse(HttpContext context) =>
            context.Response.ContentLength is not { } length || length >= threshold.Value.MinimumBytes
                ? base.ShouldCompressResponse(context)
                : false;
    }

    private static void AddContentOutputCache(this IServiceCollection services, IConfiguration configuration)
    {
        var evictions = new Evictions();
        services.AddOutputCache(options =>
        {
            // Bounded: the cache never holds more than this, however many distinct queries arrive. 8 MB is some 1500
            // articles or list pages; measured, each MB of it costs about 1.4 MB of the server's resident memory once full.
            options.SizeLimit = configuration.GetValue("OutputCache:SizeLimitBytes", 8L * 1024 * 1024);
            options.MaximumBodySize = 1024 * 1024;
            options.DefaultExpirationTimeSpan = TimeSpan.FromMinutes(10);
            // The base policy: it applies to every request and decides by itself what may be cached.
            options.AddBasePolicy(new AnonymousReadPolicy(evictions));
        });
        services.AddSingleton(evictions);
        services.AddSingleton<CountCache>();
        services.AddSingleton<IInterceptor>(provider => provider.GetRequiredService<CountCache>());
        services.AddSingleton<IInterceptor, EvictOnSave>();
    }

    /// <summary>The tags of an answer, from its route family.</summary>
    public static string TagFor(PathString path) =>
        path.StartsWithSegments("/odata") ? "odata"
        : path.Value?.Split('/', StringSplitOptions.RemoveEmptyEntries) is ["api", var family, ..] ? family
        : "other";

    /// <summary>Counts the evictions made because content changed.</summary>
    private sealed class Evictions
    {
        private long _count;
        public long Count => Interlocked.Read(ref _count);
        public void Add() => Interlocked.Increment(ref _count);
    }

    /// <summary>
    /// Caches GET answers to callers without credentials, 200 only; everything else passes by. An answer is not stored
    /// when content changed while it was made: it may hold what the database said before the change, and the eviction
    /// that change made has already happened.
    /// </summary>
    private sealed class AnonymousReadPolicy(Evictions evictions) : IOutputCachePolicy
    {
        private static readonly object EvictionsAtStart = new();

        public ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
        {
            var request = context.HttpContext.Request;
            context.HttpContext.Items[EvictionsAtStart] = evictions.Count;
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
                || response.Headers.CacheControl.ToString().Contains("no-store", StringComparison.OrdinalIgnoreCase)
                || context.HttpContext.Items[EvictionsAtStart] is not long start || start != evictions.Count)
                context.AllowCacheStorage = false;
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// After content is saved, evicts the answers that can contain it, and forgets every count. A save inside a
    /// transaction evicts once more when the transaction commits: an anonymous read between the save and the commit
    /// still sees the old content and may have stored it again.
    /// </summary>
    private sealed class EvictOnSave(IServiceProvider services, CountCache counts, Evictions evictions)
        : SaveChangesInterceptor, IDbTransactionInterceptor, IDbCommandInterceptor
    {
        private static readonly AsyncLocal<HashSet<ContentKind>?> Changed = new();
        private readonly ConditionalWeakTable<DbTransaction, HashSet<ContentKind>> _uncommitted = new();

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
            CancellationToken cancellationToken = default)
        {
            Changed.Value = Kinds(eventData.Context);
            return base.SavingChangesAsync(eventData, result, cancellationToken);
        }

        public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result,
            CancellationToken cancellationToken = default)
        {
            var kinds = Changed.Value ?? [];
            Changed.Value = null;
            await EvictAsync(kinds);
            if (kinds.Count > 0 && eventData.Context?.Database.CurrentTransaction?.GetDbTransaction() is { } transaction)
                lock (_uncommitted)
                    _uncommitted.GetOrCreateValue(transaction).UnionWith(kinds);
            return await base.SavedChangesAsync(eventData, result, cancellationToken);
        }

        async Task IDbTransactionInterceptor.TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData,
            CancellationToken cancellationToken) => await EvictAsync(Uncommitted(transaction));

        void IDbTransactionInterceptor.TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
            EvictAsync(Uncommitted(transaction)).AsTask().GetAwaiter().GetResult();

        Task IDbTransactionInterceptor.TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData,
            CancellationToken cancellationToken)
        {
            Uncommitted(transaction);
            return Task.CompletedTask;
        }

        void IDbTransactionInterceptor.TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Uncommitted(transaction);

        // Npgsql reuses a connection's transaction object, and one disposed without a rollback leaves its entry behind.
        ValueTask<DbTransaction> IDbTransactionInterceptor.TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData,
            DbTransaction result, CancellationToken cancellationToken)
        {
            Uncommitted(result);
            return ValueTask.FromResult(result);
        }

        DbTransaction IDbTransactionInterceptor.TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
        {
            Uncommitted(result);
            return result;
        }

        // ExecuteUpdate, ExecuteDelete and other writes that do not go through SaveChanges change counts too.
        ValueTask<int> IDbCommandInterceptor.NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result,
            CancellationToken cancellationToken)
        {
            counts.Clear();
            return ValueTask.FromResult(result);
        }

        int IDbCommandInterceptor.NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
        {
            counts.Clear();
            return result;
        }

        private HashSet<ContentKind> Uncommitted(DbTransaction transaction)
        {
            lock (_uncommitted)
            {
                if (!_uncommitted.TryGetValue(transaction, out var kinds))
                    return [];
                _uncommitted.Remove(transaction);
                return kinds;
            }
        }

        private async ValueTask EvictAsync(HashSet<ContentKind> kinds)
        {
            counts.Clear();
            if (kinds.Count == 0)
                return;
            // Counted first: an answer that is being made now, and is stored after the eviction below, is refused.
            evictions.Add();
            var store = services.GetRequiredService<IOutputCacheStore>();
            foreach (var tag in kinds.SelectMany(kind => Evicts[kind]).Distinct())
                await store.EvictByTagAsync(tag, CancellationToken.None);
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
