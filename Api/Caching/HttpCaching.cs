using System.Security.Cryptography;
using Microsoft.Extensions.Options;
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

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method)
            || !(request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/odata"))
            || request.Path.StartsWithSegments("/api/admin") || IsFile(request.Path))
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
            response.Headers.Vary = "Accept-Encoding, Accept";
            // A current If-None-Match is answered 304 by NotModifiedMiddleware, further out: the output cache in
            // between must still see (and keep) the whole answer.
        }
        else if (response.StatusCode >= 400 && string.IsNullOrEmpty(response.Headers.CacheControl))
            response.Headers.CacheControl = "no-store";

        buffer.Position = 0;
        // Its length, known now, lets compression pass small bodies by and is stored with the answer in the output cache.
        // (An empty body keeps no length: status code pages still write their problem+json into it.)
        if (buffer.Length > 0)
            response.ContentLength = buffer.Length;
        if (!HttpMethods.IsHead(request.Method))
            await buffer.CopyToAsync(original, context.RequestAborted);
    }

    /// <summary>Photo files and renditions stream from disk with ETags and caching of their own.</summary>
    private static bool IsFile(PathString path) =>
        path.Value is { } value && (value.EndsWith("/file", StringComparison.Ordinal) || value.Contains("/renditions/", StringComparison.Ordinal));

    public static bool HasCredentials(HttpRequest request) =>
        request.Headers.ContainsKey(HeaderNames.Authorization) || request.Headers.ContainsKey(Auth.ApiKeyAuthenticationHandler.Header);

}

/// <summary>
/// Answers a GET whose If-None-Match holds the answer's current ETag with 304 and no body. It sits outside the output
/// cache: when the cache has to make the answer (it was evicted, expired or never stored), the cache still receives and
/// stores the whole 200, and only what reaches the client becomes a 304. Answers the cache already holds are turned into
/// 304 by the cache itself.
/// </summary>
public class NotModifiedMiddleware(RequestDelegate next)
{
    private static readonly object ConvertedKey = new();

    /// <summary>Whether this 304 stands for a 200 answer that was made in full (and may be stored).</summary>
    public static bool Converted(HttpContext context) => context.Items.ContainsKey(ConvertedKey);

    public async Task InvokeAsync(HttpContext context)
    {
        if (!(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            || context.Request.Headers.IfNoneMatch.Count == 0)
        {
            await next(context);
            return;
        }
        var original = context.Response.Body;
        var gate = new Gate(original, context);
        context.Response.Body = gate;
        try
        {
            await next(context);
            gate.Decide();
        }
        finally
        {
            context.Response.Body = original;
        }
    }

    private static bool Matches(HttpContext context)
    {
        var response = context.Response;
        if (response.StatusCode != StatusCodes.Status200OK || response.Headers.ETag.ToString() is not { Length: > 0 } etag)
            return false;
        foreach (var value in context.Request.Headers.IfNoneMatch)
            foreach (var tag in (value ?? "").Split(',', StringSplitOptions.TrimEntries))
                if (tag == "*" || tag == etag || tag == "W/" + etag)
                    return true;
        return false;
    }

    /// <summary>Passes the body on, or, once the headers say the client's copy is current, swallows it.</summary>
    private sealed class Gate(Stream inner, HttpContext context) : Stream
    {
        private bool _decided;
        private bool _notModified;

        public void Decide()
        {
            if (_decided || context.Response.HasStarted)
                return;
            _decided = true;
            if (!Matches(context))
                return;
            _notModified = true;
            context.Items[ConvertedKey] = true;
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            context.Response.ContentLength = null;
            context.Response.Headers.ContentType = default;
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Decide();
            if (!_notModified)
                inner.Write(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Decide();
            return _notModified ? ValueTask.CompletedTask : inner.WriteAsync(buffer, cancellationToken);
        }

        public override void Flush()
        {
            Decide();
            if (!_notModified)
                inner.Flush();
        }

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Decide();
            return _notModified ? Task.CompletedTask : inner.FlushAsync(cancellationToken);
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
