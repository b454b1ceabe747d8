using System.IO.Compression;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ContentApi.Api.Caching;

/// <summary>
/// Delivery: the store of anonymous answers (<see cref="ResponseStore"/>) with its HTTP caching headers and eviction,
/// compression, and the counts shared between requests (<see cref="CountCache"/>).
/// </summary>
public static class DeliverySetup
{
    public static void AddDelivery(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddResponseCompression(options =>
        {
            options.EnableForHttps = true;
            options.Providers.Add<BrotliCompressionProvider>();
            options.Providers.Add<GzipCompressionProvider>();
            options.MimeTypes = [.. ResponseCompressionDefaults.MimeTypes, "application/problem+json", "application/rss+xml", "application/atom+xml",
                "text/csv", "application/rdf+xml", "application/ld+json"];
        });
        services.AddSingleton<IResponseCompressionProvider, ContentCompression.ThresholdProvider>();
        services.Configure<CompressionOptions>(configuration.GetSection(CompressionOptions.Section));
        // Fastest: on small JSON bodies it compresses nearly as well as Optimal for a fraction of the CPU.
        services.Configure<BrotliCompressionProviderOptions>(options => options.Level = CompressionLevel.Fastest);
        services.Configure<GzipCompressionProviderOptions>(options => options.Level = CompressionLevel.Fastest);
        services.AddSingleton<ContentCompression>();
        services.Configure<HttpCachingOptions>(configuration.GetSection(HttpCachingOptions.Section));
        services.AddSingleton<CachingHeaders>();
        services.AddSingleton<ResponseStore>();
        services.AddSingleton<CountCache>();
        services.AddSingleton<Eviction>();
        services.AddSingleton<IInterceptor>(provider => provider.GetRequiredService<CountCache>());
        services.AddSingleton<IInterceptor, EvictOnSave>();
    }
}
