using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using Microsoft.OData;

namespace ContentApi.Api.Hosting;

/// <summary>
/// Request headers the framework would only trip over deep inside (a 500), checked first and refused as a 4xx problem
/// that says what to fix: a <c>Prefer</c> header OData cannot parse (<c>Prefer: a&gt;b</c>; OData reads it while it
/// writes the answer), and a body whose <c>charset</c> names no encoding (<c>application/json; charset=bogus</c>;
/// ASP.NET Core's JSON binding throws on it). Anything else about a header is left to the endpoint.
/// </summary>
public static class RequestChecks
{
    public static void UseRequestChecks(this WebApplication app) => app.Use((context, next) =>
        Refusal(context.Request) is { } refusal ? WriteAsync(context, refusal) : next(context));

    private static (int Status, string Title, string Detail)? Refusal(HttpRequest request)
    {
        var headers = request.Headers;
        if (headers.ContentType.Count > 0
            && MediaTypeHeaderValue.TryParse(headers.ContentType.ToString(), out var contentType)
            && contentType.Charset.HasValue && contentType.Encoding is null)
        {
            // A quoted charset (charset="utf-8") is valid HTTP that ASP.NET Core's JSON binding cannot read: unquoted.
            var plain = contentType.Copy();
            plain.Charset = HeaderUtilities.RemoveQuotes(contentType.Charset);
            if (plain.Charset != contentType.Charset && plain.Encoding is not null)
            {
                headers.ContentType = plain.ToString();
                return null;
            }
            return (StatusCodes.Status415UnsupportedMediaType, "Unsupported charset",
                $"The Content-Type names a charset this server does not know ('{contentType.Charset}'). Send the body as UTF-8: application/json; charset=utf-8, or no charset at all.");
        }
        if (headers.ContainsKey("Prefer") && ContentRoutes.IsOData(request.Path) && PreferError(headers["Prefer"].ToString()) is { } error)
            return (StatusCodes.Status400BadRequest, "Bad Prefer header",
                $"The Prefer header cannot be read: {error} Write preferences as name or name=value, separated by commas, such as Prefer: odata.maxpagesize=50.");
        return null;
    }

    /// <summary>What OData's own parser says about the header, or null when it reads it.</summary>
    private static string? PreferError(string prefer)
    {
        try
        {
            // Reading any preference parses them all.
            _ = new HeaderOnly(prefer).PreferHeader().MaxPageSize;
            return null;
        }
        catch (ODataException e)
        {
            return e.Message;
        }
    }

    private static Task WriteAsync(HttpContext context, (int Status, string Title, string Detail) refusal)
    {
        context.Response.StatusCode = refusal.Status;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = refusal.Status, Title = refusal.Title, Detail = refusal.Detail },
        }).AsTask();
    }

    /// <summary>A request message with only the Prefer header, for OData's parser.</summary>
    private sealed class HeaderOnly(string prefer) : IODataRequestMessage
    {
        public IEnumerable<KeyValuePair<string, string>> Headers => [new("Prefer", prefer)];
        public Uri Url { get; set; } = new("http://localhost/");
        public string Method { get; set; } = "GET";
        public string? GetHeader(string headerName) =>
            string.Equals(headerName, "Prefer", StringComparison.OrdinalIgnoreCase) ? prefer : null;
        public void SetHeader(string headerName, string headerValue) => throw new NotSupportedException();
        public Stream GetStream() => Stream.Null;
    }
}
