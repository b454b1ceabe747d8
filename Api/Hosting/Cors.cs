using ContentApi.Api.Auth;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace ContentApi.Api.Hosting;

/// <summary>Which browser origins may call the API from their pages, section "Cors".</summary>
public sealed class CorsOptions
{
    public const string Section = "Cors";

    /// <summary>
    /// Origins such as <c>https://www.solvesborg.se</c>: they may read and write (with an API key or token) and send
    /// credentials. <c>*</c> lets every other origin make anonymous reads. Empty (the default): no CORS at all.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>How long a browser may keep a preflight's answer (Chromium keeps it 2 hours at most).</summary>
    public int MaxAgeSeconds { get; set; } = 600;
}

/// <summary>
/// Cross-origin requests from browsers (the Fetch standard's CORS protocol). The headers are worked out per request
/// from its Origin, set before the rest of the pipeline runs and set again on problem answers (the exception handler
/// clears the headers): never kept in the store of answers, so an answer stored for one origin carries no other
/// origin's permission; a stored answer only says <c>Vary: Origin</c>, for the caches in front of the API.
/// </summary>
public sealed class Cors
{
    private const string RequestMethod = "Access-Control-Request-Method";
    private static readonly StringValues Yes = "true";
    private static readonly StringValues Any = "*";
    private static readonly StringValues AllMethods = "GET, HEAD, POST, PUT, PATCH, DELETE";
    private static readonly StringValues ReadMethods = "GET, HEAD";
    private static readonly StringValues AllHeaders =
        "X-Api-Key, Authorization, If-Match, If-None-Match, If-Modified-Since, Content-Type, Prefer, OData-MaxVersion, OData-Version";
    private static readonly StringValues ReadHeaders = "If-None-Match, If-Modified-Since, Prefer, OData-MaxVersion, OData-Version";
    // Beyond the safelisted ones (Content-Type, Cache-Control, Last-Modified ...): what a front end reads to revalidate,
    // follow a created item, see the store's verdict and back off.
    private static readonly StringValues Exposed = "ETag, Location, Cache-Status, Retry-After, RateLimit, RateLimit-Policy, OData-Version";

    /// <summary>The headers this class sets on an answer: the store never keeps them.</summary>
    public static readonly string[] HeaderNamesSet =
    [
        HeaderNames.AccessControlAllowOrigin, HeaderNames.AccessControlAllowCredentials, HeaderNames.AccessControlExposeHeaders,
    ];

    private readonly HashSet<string> _listed;
    private readonly bool _anyone;
    private readonly StringValues _maxAge;

    public Cors(IOptions<CorsOptions> options)
    {
        var origins = options.Value.AllowedOrigins.Select(origin => origin.Trim()).Where(origin => origin.Length > 0).ToList();
        _anyone = origins.Remove("*");
        _listed = new HashSet<string>(origins.Select(Normalize), StringComparer.OrdinalIgnoreCase);
        _maxAge = options.Value.MaxAgeSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Whether any origin is allowed: else the API sends no CORS header at all and a preflight is a 405.</summary>
    public bool Enabled => _anyone || _listed.Count > 0;

    /// <summary>A preflight: an OPTIONS that asks, from a page's origin, whether a request may be made.</summary>
    public static bool IsPreflight(HttpRequest request) =>
        HttpMethods.IsOptions(request.Method) && request.Headers.Origin.Count > 0 && request.Headers.ContainsKey(RequestMethod);

    /// <summary>
    /// Answers a preflight: 204, with the methods and headers the origin may use, or without any CORS header when it may
    /// use none (the browser then refuses the request).
    /// </summary>
    public void AnswerPreflight(HttpContext context)
    {
        var response = context.Response;
        var headers = response.Headers;
        response.StatusCode = StatusCodes.Status204NoContent;
        headers.Vary = HeaderNames.Origin;
        var origin = context.Request.Headers.Origin.ToString();
        if (_listed.Contains(origin))
        {
            headers.AccessControlAllowOrigin = origin;
            headers.AccessControlAllowCredentials = Yes;
            headers.AccessControlAllowMethods = AllMethods;
            headers.AccessControlAllowHeaders = AllHeaders;
        }
        else if (_anyone)
        {
            headers.AccessControlAllowOrigin = Any;
            headers.AccessControlAllowMethods = ReadMethods;
            headers.AccessControlAllowHeaders = ReadHeaders;
        }
        else
            return;
        headers.AccessControlMaxAge = _maxAge;
    }

    /// <summary>
    /// The CORS headers of an actual request: a listed origin may do anything it has credentials for; with <c>*</c>,
    /// any other origin may read anonymously. Vary: Origin on everything, for the caches in front.
    /// </summary>
    public void Apply(HttpContext context)
    {
        var request = context.Request;
        var headers = context.Response.Headers;
        var vary = headers.Vary;
        if (StringValues.IsNullOrEmpty(vary))
            headers.Vary = HeaderNames.Origin;
        else if (!vary.ToString().Contains(HeaderNames.Origin, StringComparison.OrdinalIgnoreCase))
            headers.Vary = StringValues.Concat(vary, HeaderNames.Origin);
        var origin = request.Headers.Origin;
        if (origin.Count == 0)
            return;
        if (_listed.Contains(origin.ToString()))
        {
            headers.AccessControlAllowOrigin = origin;
            headers.AccessControlAllowCredentials = Yes;
            headers.AccessControlExposeHeaders = Exposed;
        }
        else if (_anyone && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) && !Caller.HasCredentials(request))
        {
            headers.AccessControlAllowOrigin = Any;
            headers.AccessControlExposeHeaders = Exposed;
        }
    }

    /// <summary>An origin as browsers send it: scheme, host and port, no path; refuses anything else at start-up.</summary>
    private static string Normalize(string origin)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
            throw new OptionsValidationException(CorsOptions.Section, typeof(CorsOptions),
                [$"Cors:AllowedOrigins: '{origin}' is not an origin; write scheme, host and port only (https://www.example.se), or *."]);
        // Browsers send an international name in its ASCII form (xn--…).
        return uri.HostNameType == UriHostNameType.Dns
            ? $"{uri.Scheme}://{uri.IdnHost}{(uri.IsDefaultPort ? "" : ":" + uri.Port)}"
            : uri.GetLeftPart(UriPartial.Authority);
    }
}
