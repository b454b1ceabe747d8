using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace ContentApi.Api.Caching;

/// <summary>
/// Brotli or gzip, as the client's Accept-Encoding asks, for bodies worth it. The store compresses the anonymous
/// answers it makes itself, once, from the bytes it captured (and keeps them compressed); the response compression
/// middleware does the rest (reads with credentials, routes that are not content) and passes the store's by.
/// </summary>
public sealed class ContentCompression(IResponseCompressionProvider provider)
{
    /// <summary>The body as the client asked for it (headers set), or null when it goes out as it is.</summary>
    public byte[]? Compress(HttpContext context, ReadOnlySpan<byte> body)
    {
        if (Choose(context) is not { } compressor)
            return null;
        using var output = new MemoryStream(body.Length / 2);
        using (var compressed = compressor.CreateStream(output))
            compressed.Write(body);
        return output.ToArray();
    }

    /// <summary>Where a body too big to keep goes: to the client, compressed if it asked for that.</summary>
    public Stream Spill(HttpContext context, Stream client) => Choose(context)?.CreateStream(client) ?? client;

    /// <summary>
    /// The compression the client accepts for this answer, with its headers set, as the middleware would: Vary by
    /// Accept-Encoding whenever the type could be compressed, the coding, no length (the caller sets the new one).
    /// </summary>
    private ICompressionProvider? Choose(HttpContext context)
    {
        if (StringValues.IsNullOrEmpty(context.Request.Headers.AcceptEncoding) || !provider.ShouldCompressResponse(context))
            return null;
        var headers = context.Response.Headers;
        if (!headers.GetCommaSeparatedValues(HeaderNames.Vary).Contains(HeaderNames.AcceptEncoding, StringComparer.OrdinalIgnoreCase))
            headers.Append(HeaderNames.Vary, HeaderNames.AcceptEncoding);
        if (provider.GetCompressionProvider(context) is not { } compressor)
            return null;
        headers.ContentEncoding = compressor.EncodingName;
        headers.Remove(HeaderNames.ContentMD5);
        headers.ContentLength = null;
        // A strong ETag names one representation (RFC 9110, 8.8.3): the body's hash is taken before compression, so a
        // compressed answer gets the coding appended ("…-br"). A client revalidates with the ETag it was given.
        if (headers.ETag.ToString() is ['"', .., '"'] etag)
            headers.ETag = $"{etag[..^1]}-{compressor.EncodingName}\"";
        return compressor;
    }

    /// <summary>
    /// Compresses only bodies worth it: below <see cref="CompressionOptions.MinimumBytes"/> (a body of that size fits in
    /// one TCP packet either way) compression costs CPU and saves nothing. Every anonymous answer under /api and /odata
    /// states its length (the store sets it), so the size is known before the first byte is written. The answers the
    /// store compresses itself it leaves alone.
    /// </summary>
    internal sealed class ThresholdProvider(IServiceProvider services, IOptions<ResponseCompressionOptions> options,
        IOptions<CompressionOptions> threshold) : IResponseCompressionProvider
    {
        private readonly ResponseCompressionProvider _provider = new(services, options);

        public bool CheckRequestAcceptsCompression(HttpContext context) =>
            context.Features.Get<IHttpResponseBodyFeature>() is not ResponseCapture { CompressedByStore: true }
            && _provider.CheckRequestAcceptsCompression(context);

        public bool ShouldCompressResponse(HttpContext context) =>
            (context.Response.ContentLength is not { } length || length >= threshold.Value.MinimumBytes)
            && _provider.ShouldCompressResponse(context);

        public ICompressionProvider? GetCompressionProvider(HttpContext context) => _provider.GetCompressionProvider(context);
    }
}
