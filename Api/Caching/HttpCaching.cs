using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace ContentApi.Api.Caching;

public class CompressionOptions
{
    public const string Section = "Compression";

    /// <summary>Bodies smaller than this are sent uncompressed.</summary>
    public int MinimumBytes { get; set; } = 1024;
}

public class HttpCachingOptions
{
    public const string Section = "HttpCaching";

    /// <summary>How long browsers and CDNs may use a published answer without asking again.</summary>
    public int MaxAgeSeconds { get; set; } = 60;
    /// <summary>How long after that they may still use it while they revalidate in the background.</summary>
    public int StaleWhileRevalidateSeconds { get; set; } = 300;
}

/// <summary>
/// HTTP caching for anonymous reads of published content (REST and OData): a strong ETag from the body's bytes, 304 for
/// a current If-None-Match, a short public Cache-Control with stale-while-revalidate, and Vary. Anything a caller
/// read with credentials is private and never stored by a shared cache.
/// </summary>
public class HttpCachingMiddleware(RequestDelegate next, IOptions<HttpCachingOptions> options)
{
    // JSON bodies of the API are small; anything larger streams through unbuffered (and without an ETag).
    private const int MaxBufferedBytes = 1024 * 1024;
    private static readonly StringValues RestVary = "Accept-Encoding, Accept";
    private static readonly StringValues ODataVary = "Accept-Encoding, Accept, Accept-Charset, OData-MaxVersion, Prefer";

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) || !IsContentRead(request))
        {
            await next(context);
            return;
        }
        if (HasCredentials(request))
        {
            context.Response.OnStarting(() =>
            {
                context.Response.Headers.CacheControl = "private, no-store";
                return Task.CompletedTask;
            });
            await next(context);
            return;
        }

        var original = context.Response.Body;
        await using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }

        var response = context.Response;
        var contentType = response.ContentType ?? "";
        var cacheable = response.StatusCode == StatusCodes.Status200OK && buffer.Length <= MaxBufferedBytes
            && (contentType.Contains("json", StringComparison.OrdinalIgnoreCase) || contentType.Contains("xml", StringComparison.OrdinalIgnoreCase))
            && !contentType.Contains("problem", StringComparison.OrdinalIgnoreCase);
        if (cacheable)
        {
            // Strong: the same bytes for the same address (before compression, which Vary tells caches apart).
            var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)))[..32]}\"";
            response.Headers.ETag = etag;
            if (string.IsNullOrEmpty(response.Headers.CacheControl))
                response.Headers.CacheControl =
                    $"public, max-age={options.Value.MaxAgeSeconds}, stale-while-revalidate={options.Value.StaleWhileRevalidateSeconds}";
            // OData answers also depend on the version the client speaks (4.01 writes "@count", not "@odata.count"), on
            // its preferences (odata.maxpagesize) and on the charset it accepts (utf-16 is honoured).
            response.Headers.Vary = request.Path.StartsWithSegments("/odata") ? ODataVary : RestVary;
            // A current If-None-Match is answered 304 by the ResponseStore, further out, which keeps the whole answer.
        }
        else if (response.StatusCode >= 400 && string.IsNullOrEmpty(response.Headers.CacheControl))
            response.Headers.CacheControl = "no-store";

        buffer.Position = 0;
        // Its length, known now, lets compression pass small bodies by. (An empty body keeps no length: status code pages
        // still write their problem+json into it.)
        if (buffer.Length > 0)
            response.ContentLength = buffer.Length;
        if (!HttpMethods.IsHead(request.Method))
            await buffer.CopyToAsync(original, context.RequestAborted);
    }

    /// <summary>Photo files and renditions stream from disk with ETags and caching of their own.</summary>
    private static bool IsFile(PathString path) =>
        path.Value is { } value && (value.EndsWith("/file", StringComparison.Ordinal) || value.Contains("/renditions/", StringComparison.Ordinal));

    /// <summary>The routes of content: REST and OData, not admin.</summary>
    private static bool IsContent(PathString path) =>
        (path.StartsWithSegments("/api") || path.StartsWithSegments("/odata")) && !path.StartsWithSegments("/api/admin");

    /// <summary>A read of content (not a photo file), with or without credentials.</summary>
    private static bool IsContentRead(HttpRequest request) => IsContent(request.Path) && !IsFile(request.Path);

    /// <summary>
    /// A read of content or of a photo file by a caller without credentials: what may be answered from the store
    /// (photo files have ETags and Cache-Control of their own).
    /// </summary>
    public static bool IsPublicRead(HttpRequest request) => IsContent(request.Path) && !HasCredentials(request);

    public static bool HasCredentials(HttpRequest request) =>
        request.Headers.ContainsKey(HeaderNames.Authorization) || request.Headers.ContainsKey(Auth.ApiKeyAuthenticationHandler.Header);

}
