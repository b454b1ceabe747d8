using Microsoft.AspNetCore.HttpsPolicy;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace ContentApi.Api.Hosting;

/// <summary>
/// TLS for a deployment that terminates it itself, section "Https": both off by default, since behind a reverse proxy
/// or CDN the proxy redirects and sends HSTS.
/// </summary>
public sealed class HttpsOptions
{
    public const string Section = "Https";

    /// <summary>Answer plain-HTTP requests with a 308 to the same address on HTTPS.</summary>
    public bool Redirect { get; set; }

    /// <summary>The HTTPS port redirects go to; unset, the port Kestrel listens on for HTTPS (or 443 behind a proxy).</summary>
    public int? Port { get; set; }

    /// <summary>Send Strict-Transport-Security on HTTPS answers (never to localhost).</summary>
    public bool Hsts { get; set; }

    /// <summary>The HSTS max-age, in days.</summary>
    public int HstsMaxAgeDays { get; set; } = 365;
}

/// <summary>
/// The headers every answer carries whoever made it: <c>X-Content-Type-Options: nosniff</c>, CORS (<see cref="Cors"/>),
/// a strict Content-Security-Policy and frame protection on Swagger UI, <c>no-store</c> on every error; HSTS and HTTPS
/// redirection when configured. They are set before the pipeline runs, so an answer from the store gets them for the
/// price of a header or two; the exception handler clears them, so problem answers get them again as they are written.
/// </summary>
public static class SecurityHeaders
{
    private static readonly StringValues NoSniff = "nosniff";
    private static readonly StringValues NoStore = "no-store";
    private static readonly StringValues Deny = "DENY";
    private static readonly StringValues NoReferrer = "no-referrer";
    // Swagger UI is its own files (scripts, styles, the OpenAPI document from this host); its components set style
    // attributes, and its icons are data: images. Nothing else, and no page may frame it.
    private static readonly StringValues SwaggerPolicy = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        + "img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    public static void AddWebSecurity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<CorsOptions>(builder.Configuration.GetSection(CorsOptions.Section));
        services.AddSingleton<Cors>();
        services.Configure<HttpsOptions>(builder.Configuration.GetSection(HttpsOptions.Section));
        services.AddOptions<HstsOptions>().Configure<IOptions<HttpsOptions>>((hsts, https) => hsts.MaxAge = TimeSpan.FromDays(https.Value.HstsMaxAgeDays));
        services.AddOptions<HttpsRedirectionOptions>().Configure<IOptions<HttpsOptions>>((redirection, https) =>
        {
            redirection.RedirectStatusCode = StatusCodes.Status308PermanentRedirect;
            redirection.HttpsPort = https.Value.Port;
        });
        // Every problem answer, whoever writes it (status code pages, challenges, the exception handler, endpoints).
        services.PostConfigure<ProblemDetailsOptions>(options =>
        {
            var fill = options.CustomizeProblemDetails;
            options.CustomizeProblemDetails = context =>
            {
                fill?.Invoke(context);
                OnError(context.HttpContext);
            };
        });
    }

    public static void UseWebSecurity(this WebApplication app)
    {
        var https = app.Services.GetRequiredService<IOptions<HttpsOptions>>().Value;
        if (https.Hsts)
            app.UseHsts();
        if (https.Redirect)
            app.UseHttpsRedirection();
        var cors = app.Services.GetRequiredService<Cors>();
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = NoSniff;
            if (context.Request.Path.StartsWithSegments(OpenApiSetup.UiPath))
            {
                headers.ContentSecurityPolicy = SwaggerPolicy;
                headers.XFrameOptions = Deny;
                headers["Referrer-Policy"] = NoReferrer;
            }
            if (cors.Enabled)
            {
                if (Cors.IsPreflight(context.Request))
                {
                    cors.AnswerPreflight(context);
                    return Task.CompletedTask;
                }
                cors.Apply(context);
            }
            return next(context);
        });
    }

    /// <summary>An error is never kept by a cache, and carries the headers the exception handler may have cleared.</summary>
    private static void OnError(HttpContext context)
    {
        var headers = context.Response.Headers;
        if (!headers.CacheControl.ToString().Contains("no-store", StringComparison.OrdinalIgnoreCase))
            headers.CacheControl = NoStore;
        headers.XContentTypeOptions = NoSniff;
        if (context.RequestServices.GetService<Cors>() is { Enabled: true } cors)
            cors.Apply(context);
    }
}
