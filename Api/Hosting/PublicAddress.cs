namespace ContentApi.Api.Hosting;

/// <summary>
/// The address the public reaches the API at (<c>PublicBaseUrl</c>, such as <c>https://api.solvesborg.se/</c>), for a
/// server behind a reverse proxy or a CDN. When it is set, every request is treated as made to that scheme, host and
/// path base, whatever its <c>Host</c> header said: OData's <c>@odata.context</c> and <c>@odata.nextLink</c>, nested next
/// links and REST's <c>nextPage</c> are built from it, and the response store files answers under it, so a forged
/// <c>Host: evil.example</c> neither reaches an answer nor makes the store keep another copy of one (random Host headers
/// would otherwise bust the store at will). When it is not set, links come from the request, as a server reached
/// directly needs.
/// </summary>
/// <remarks>
/// Runs after the forwarded headers (which set the client's address, and the scheme when no public address is set):
/// with a public address the scheme comes from it, so an <c>X-Forwarded-Proto</c> cannot change a link either.
/// A path base (<c>https://www.solvesborg.se/content-api/</c>) is taken off the request path when the proxy forwards it,
/// and added to the links either way.
/// </remarks>
public static class PublicAddress
{
    public const string Setting = "PublicBaseUrl";

    /// <summary>The configured public address, checked at start-up; null when none is set.</summary>
    public static Uri? Read(IConfiguration configuration)
    {
        var value = configuration[Setting];
        if (string.IsNullOrWhiteSpace(value))
            return null;
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
            throw new InvalidOperationException(
                $"{Setting} must be an absolute http or https address without query, fragment or user, such as https://api.solvesborg.se/ (got '{value}').");
        return uri;
    }

    /// <summary>
    /// <c>AllowedHosts</c> is checked by <see cref="UsePublicAddress"/>, where a refusal is problem+json like every
    /// other client error (ASP.NET Core's host filtering runs first of all and answers an HTML page).
    /// </summary>
    public static void AddPublicAddress(this IHostApplicationBuilder builder) =>
        builder.Services.PostConfigure<Microsoft.AspNetCore.HostFiltering.HostFilteringOptions>(options => options.AllowedHosts = ["*"]);

    /// <summary>
    /// Refuses a Host that <c>AllowedHosts</c> does not list (400), then treats every request as made to the public
    /// address, when one is configured.
    /// </summary>
    public static void UsePublicAddress(this WebApplication app)
    {
        var allowed = (app.Configuration["AllowedHosts"] ?? "*").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (allowed.Length > 0 && !allowed.Contains("*"))
        {
            var patterns = allowed.Select(host => new Microsoft.Extensions.Primitives.StringSegment(host)).ToList();
            app.Use((context, next) =>
            {
                // No Host at all is HTTP/1.0 (HTTP/1.1 requires one, and Kestrel refuses a request without it).
                // Health probes are answered whatever the Host: load balancers and orchestrators probe by address.
                var host = context.Request.Host;
                if (!host.HasValue || HostString.MatchesAny(host.Value, patterns)
                    || context.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase))
                    return next(context);
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails
                    {
                        Status = StatusCodes.Status400BadRequest, Title = "Unknown host",
                        Detail = "The Host header names a host this server does not answer for; use the API's public address.",
                    },
                }).AsTask();
            });
        }
        if (Read(app.Configuration) is not { } address)
            return;
        var scheme = address.Scheme;
        var publicHost = HostString.FromUriComponent(address);
        var pathBase = PathString.FromUriComponent(address.AbsolutePath.TrimEnd('/'));
        app.Use((context, next) =>
        {
            var request = context.Request;
            request.Scheme = scheme;
            request.Host = publicHost;
            if (pathBase.HasValue)
            {
                if (request.Path.StartsWithSegments(pathBase, StringComparison.OrdinalIgnoreCase, out var rest))
                    request.Path = rest;
                request.PathBase = pathBase;
            }
            return next(context);
        });
    }
}
