using System.Security.Claims;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using Microsoft.AspNetCore.Mvc;

namespace ContentApi.Api.Auth;

/// <summary>The 401 and 403 answers of both schemes: problem+json, counted for the audit log (<see cref="FailedAuthentications"/>).</summary>
public static class Challenges
{
    public static async Task WriteAsync(HttpContext context, string reason)
    {
        context.RequestServices.GetRequiredService<FailedAuthentications>().Record(context, "auth.failed", StatusCodes.Status401Unauthorized, reason);
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = $"{ApiKeyAuthenticationHandler.SchemeName} header=\"{ApiKeyAuthenticationHandler.Header}\", Bearer";
        await Write(context, StatusCodes.Status401Unauthorized, "Authentication required", reason);
    }

    public static async Task ForbidAsync(HttpContext context)
    {
        var roles = context.User.FindAll(ClaimTypes.Role).Select(c => c.Value).ToList();
        var detail = roles.Count == 0
            ? "You are signed in, but with no role of this API (editor, publisher or admin)."
            : $"Your role ({roles.Last()}) does not allow this operation.";
        context.RequestServices.GetRequiredService<FailedAuthentications>().Record(context, "auth.forbidden", StatusCodes.Status403Forbidden, detail);
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        await Write(context, StatusCodes.Status403Forbidden, "Forbidden", detail);
    }

    private static Task Write(HttpContext context, int status, string title, string detail) =>
        context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        }).AsTask();
}

/// <summary>Writes the audit log: who did what to which item, from where.</summary>
public static class Audit
{
    public static string Actor(ClaimsPrincipal user) => user.Identity?.IsAuthenticated == true
        ? user.Identity.Name ?? user.FindFirstValue("sub") ?? "unknown"
        : "anonymous";

    /// <summary>Adds an entry to the context; it is saved with the change it describes, in the same transaction.</summary>
    public static void Add(ContentDbContext db, HttpContext context, string action, ContentKind? kind, Guid? id, string? details = null) =>
        db.AuditEntries.Add(Entry(context, action, StatusCodes.Status200OK, details, kind?.ToString(), id));

    /// <summary>Details as long as the column takes.</summary>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(details))]
    public static string? Clip(string? details) => details is { Length: > AuditEntry.DetailsMaxLength } ? details[..AuditEntry.DetailsMaxLength] : details;

    private static AuditEntry Entry(HttpContext context, string action, int status, string? details, string? type, Guid? id) => new()
    {
        At = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow(),
        Actor = Actor(context.User),
        Action = action,
        TargetType = type,
        TargetId = id,
        Address = context.Connection.RemoteIpAddress?.ToString(),
        Status = status,
        Details = Clip(details),
    };
}
