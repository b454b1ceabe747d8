using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace ContentApi.Api.Caching;

/// <summary>
/// HTTP caching headers of anonymous reads of content (REST and OData), from the bytes the store captured: a strong
/// ETag from the body, a short public Cache-Control with stale-while-revalidate, and Vary; errors are no-store.
/// Anything read with credentials is private (<see cref="Private"/>). Photo files and renditions bring their own.
/// </summary>
public sealed class CachingHeaders(IOptions<HttpCachingOptions> options)
{
    public static readonly StringValues Private = "private, no-store";
    private static readonly StringValues NoStore = "no-store";
    private static readonly StringValues RestVary = "Accept-Encoding, Accept";
    // OData answers also depend on the version the client speaks (4.01 writes "@count", not "@odata.count"), on its
    // preferences (odata.maxpagesize) and on the charset it accepts (utf-16 is honoured).
    private static readonly StringValues ODataVary = "Accept-Encoding, Accept, Accept-Charset, OData-MaxVersion, Prefer";

    private readonly StringValues _public =
        $"public, max-age={options.Value.MaxAgeSeconds}, stale-while-revalidate={options.Value.StaleWhileRevalidateSeconds}";

    /// <summary>Sets the caching headers of an anonymous answer made whole, before it is compressed.</summary>
    public void Describe(HttpContext context, ReadOnlySpan<byte> body)
    {
        var response = context.Response;
        var headers = response.Headers;
        if (response.StatusCode == StatusCodes.Status200OK && IsDocument(response.ContentType))
        {
            // Strong: the same bytes for the same address (before compression, which appends its coding).
            headers.ETag = StrongETag(body);
            if (StringValues.IsNullOrEmpty(headers.CacheControl))
                headers.CacheControl = _public;
            var vary = ContentRoutes.IsOData(context.Request.Path) ? ODataVary : RestVary;
            // Kept with what was there (Origin, when CORS is on).
            headers.Vary = StringValues.IsNullOrEmpty(headers.Vary) ? vary : StringValues.Concat(vary, headers.Vary);
        }
        else
            DescribeUnkept(response);
    }

    /// <summary>The headers of an anonymous answer too big to keep or hash: an error is still no-store.</summary>
    public static void DescribeUnkept(HttpResponse response)
    {
        if (response.StatusCode >= 400 && StringValues.IsNullOrEmpty(response.Headers.CacheControl))
            response.Headers.CacheControl = NoStore;
    }

    /// <summary>JSON, XML (RDF/XML, JSON-LD too) or CSV, not a problem.</summary>
    private static bool IsDocument(string? contentType) =>
        contentType is not null
        && (contentType.Contains("json", StringComparison.OrdinalIgnoreCase) || contentType.Contains("xml", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase))
        && !contentType.Contains("problem", StringComparison.OrdinalIgnoreCase);

    /// <summary>The first 128 bits of the body's SHA-256, in hex and quotes.</summary>
    private static string StrongETag(ReadOnlySpan<byte> body)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, hash);
        return string.Concat("\"", Convert.ToHexStringLower(hash[..16]), "\"");
    }
}
