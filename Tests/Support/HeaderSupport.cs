namespace ContentApi.Tests.Support;

/// <summary>Reading response headers, and what a CORS permission looks like in them.</summary>
public static class HeaderSupport
{
    public static void AssertAllowed(HttpResponseMessage response, string origin, string what)
    {
        Assert.That(Header(response, "Access-Control-Allow-Origin"), Is.EqualTo(origin), what);
        Assert.That(Header(response, "Access-Control-Allow-Credentials"), Is.EqualTo("true"), what);
        Assert.That(List(response, "Access-Control-Expose-Headers"),
            Is.SupersetOf(new[] { "ETag", "Location", "Cache-Status", "Retry-After", "RateLimit", "RateLimit-Policy" }), what);
    }

    public static void AssertRefused(HttpResponseMessage response, string what)
    {
        Assert.That(Header(response, "Access-Control-Allow-Origin"), Is.Null, what);
        Assert.That(Header(response, "Access-Control-Allow-Credentials"), Is.Null, what);
    }

    /// <summary>A response header (or content header), all its values joined, or null.</summary>
    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : null;

    /// <summary>A comma-separated header's items.</summary>
    public static List<string> List(HttpResponseMessage response, string name) =>
        (Header(response, name) ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();

    /// <summary>A CORS preflight: may a page on <paramref name="origin"/> send this?</summary>
    public static HttpRequestMessage Preflight(string url, string origin, string method, string headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, url);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return request;
    }
}
