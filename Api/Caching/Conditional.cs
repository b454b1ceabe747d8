using Microsoft.Net.Http.Headers;

namespace ContentApi.Api.Caching;

/// <summary>Conditional GETs (RFC 9110, 13): whether the client's copy is current, and the 304 that says so.</summary>
internal static class Conditional
{
    // What a 304 carries of the 200 it stands for (RFC 9110, 15.4.5).
    private static readonly HashSet<string> Validators = new(StringComparer.OrdinalIgnoreCase)
    {
        HeaderNames.ETag, HeaderNames.CacheControl, HeaderNames.Vary, HeaderNames.Expires, HeaderNames.ContentLocation,
        HeaderNames.LastModified,
    };

    public static bool IsValidator(string header) => Validators.Contains(header);

    /// <summary>Whether the request asks for anything conditional this server answers.</summary>
    public static bool IsConditional(HttpRequest request) =>
        request.Headers.IfNoneMatch.Count > 0 || request.Headers.IfModifiedSince.Count > 0;

    /// <summary>
    /// Whether the client's copy is current: an If-None-Match that holds the ETag (weak comparison, RFC 9110, 13.1.2);
    /// without one, an If-Modified-Since no earlier than Last-Modified (13.1.3: a date equal to it is current too).
    /// </summary>
    public static bool IsCurrent(HttpRequest request, string etag, string lastModified)
    {
        var headers = request.Headers;
        var ifNoneMatch = headers.IfNoneMatch;
        if (ifNoneMatch.Count > 0)
        {
            if (etag.Length == 0)
                return false;
            foreach (var value in ifNoneMatch)
                foreach (var tag in (value ?? "").Split(',', StringSplitOptions.TrimEntries))
                    if (tag == "*" || tag == etag || tag == "W/" + etag)
                        return true;
            return false;
        }
        // A date that is not a valid HTTP-date is ignored, as RFC 9110 asks.
        return headers.IfModifiedSince.Count > 0 && lastModified.Length > 0
            && HeaderUtilities.TryParseDate(headers.IfModifiedSince.ToString(), out var since)
            && HeaderUtilities.TryParseDate(lastModified, out var modified) && modified <= since;
    }

    /// <summary>Turns a made 200 into a 304: the validators stay, the body and what describes it go.</summary>
    public static void NotModified(HttpResponse response)
    {
        response.StatusCode = StatusCodes.Status304NotModified;
        var headers = response.Headers;
        foreach (var name in headers.Keys.ToArray())
            if (!IsValidator(name) && !name.Equals(CacheStatus.Header, StringComparison.OrdinalIgnoreCase))
                headers.Remove(name);
    }
}
