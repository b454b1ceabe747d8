using System.Diagnostics;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace ContentApi.Api.Caching;

/// <summary>What an answer depends on: the address and the request headers it varies by (see the Vary header).</summary>
/// <remarks>
/// The scheme and host too: OData writes absolute links (<c>@odata.context</c>, <c>@odata.nextLink</c>) from them, so
/// an answer made for one Host header must never go to a client that used another. With <c>PublicBaseUrl</c> set the
/// request's scheme and host are the public ones whatever the client sent (<see cref="Hosting.PublicAddress"/>), so a
/// forged Host finds the one stored answer and stores no other.
/// </remarks>
internal readonly record struct StoreKey(string Scheme, string Host, string Path, string Query, string Accept, string AcceptEncoding,
    string AcceptCharset, string ODataMaxVersion, string Prefer)
{
    public static StoreKey Of(HttpRequest request, ContentFamily family)
    {
        var headers = request.Headers;
        var odata = family == ContentFamily.OData;
        return new(request.Scheme, request.Host.Value ?? "", request.Path.Value ?? "", request.QueryString.Value ?? "",
            headers.Accept.ToString(), headers.AcceptEncoding.ToString(), odata ? headers.AcceptCharset.ToString() : "",
            odata ? headers["OData-MaxVersion"].ToString() : "", odata ? headers["Prefer"].ToString() : "");
    }

    public int Bytes => 2 * (Scheme.Length + Host.Length + Path.Length + Query.Length + Accept.Length + AcceptEncoding.Length
        + AcceptCharset.Length + ODataMaxVersion.Length + Prefer.Length);
}

/// <summary>A 200 answer ready to send again: its bytes as they went out and its headers.</summary>
internal sealed class StoredAnswer
{
    // Not kept: set by the server on every answer, or by the store itself.
    private static readonly HashSet<string> Transient = new(
    [
        HeaderNames.Date, HeaderNames.Server, HeaderNames.ContentLength, HeaderNames.TransferEncoding, HeaderNames.Connection,
        HeaderNames.KeepAlive, HeaderNames.Age, CacheStatus.Header,
        // Set on every answer before the store answers: per request, for the origin that asked (see Hosting/Cors.cs).
        HeaderNames.XContentTypeOptions, .. Hosting.Cors.HeaderNamesSet,
    ], StringComparer.OrdinalIgnoreCase);

    private StoredAnswer(byte[] body, KeyValuePair<string, StringValues>[] headers, string etag, string lastModified, long expires, long size)
    {
        Body = body;
        Headers = headers;
        NotModifiedHeaders = [.. headers.Where(header => Conditional.IsValidator(header.Key))];
        ETag = etag;
        LastModified = lastModified;
        Expires = expires;
        Size = size;
        LastUsed = Stopwatch.GetTimestamp();
    }

    public byte[] Body { get; }
    public KeyValuePair<string, StringValues>[] Headers { get; }
    /// <summary>What a 304 that stands for it carries.</summary>
    public KeyValuePair<string, StringValues>[] NotModifiedHeaders { get; }
    public string ETag { get; }
    public string LastModified { get; }
    /// <summary>When it goes, on <see cref="Environment.TickCount64"/>.</summary>
    public long Expires { get; }
    /// <summary>What holding it costs, in bytes (body, headers, key).</summary>
    public long Size { get; }
    public long LastUsed;
    /// <summary>The generation of its family it was stored in.</summary>
    public long Generation;

    /// <summary>
    /// The answer as made, if it may be kept: a 200 for everyone, with an ETag, whole (as long as it said it would be),
    /// and not too big. <paramref name="body"/> is kept as it is when it fills its array, else copied.
    /// </summary>
    public static StoredAnswer? From(HttpResponse response, ArraySegment<byte> body, bool whole, in StoreKey key, ResponseStore store)
    {
        var headers = response.Headers;
        if (response.StatusCode != StatusCodes.Status200OK || !whole || headers.ETag.ToString() is not { Length: > 0 } etag
            || body.Count > store.MaxEntryBytes || headers.SetCookie.Count > 0
            || headers.CacheControl.ToString() is var cacheControl
                && (cacheControl.Contains("private", StringComparison.OrdinalIgnoreCase)
                    || cacheControl.Contains("no-store", StringComparison.OrdinalIgnoreCase)))
            return null;
        var kept = headers.Where(header => !Transient.Contains(header.Key)).ToArray();
        var size = body.Count + key.Bytes + 200 + kept.Sum(header => 2 * (header.Key.Length + header.Value.ToString().Length) + 48);
        var bytes = body.Offset == 0 && body.Count == body.Array!.Length ? body.Array : body.ToArray();
        return new StoredAnswer(bytes, kept, etag, headers.LastModified.ToString(), Environment.TickCount64 + store.LifetimeMs, size);
    }
}
