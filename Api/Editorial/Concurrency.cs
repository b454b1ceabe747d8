using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ContentApi.Api.Editorial;

/// <summary>
/// Optimistic concurrency over HTTP: every item has a version; GET gives it as a strong ETag, and a change must name
/// the version it was based on in If-Match. Missing: 428. Stale: 412 with the current ETag.
/// </summary>
public static class Concurrency
{
    /// <summary>For the OpenAPI description of every change that needs If-Match.</summary>
    public const string IfMatchDescription =
        "Send the ETag you read in `If-Match`: without it the answer is 428, with a stale one 412 and the current ETag.";

    public static string ETag(int version) => $"\"{version}\"";

    public static void SetETag(HttpContext context, int version) => context.Response.Headers.ETag = ETag(version);

    /// <summary>Null when the request's If-Match names the current version; otherwise the 428 or 412 to answer with.</summary>
    public static ProblemHttpResult? CheckIfMatch(HttpContext context, int currentVersion, bool required = true)
    {
        var ifMatch = context.Request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(ifMatch))
            return required
                ? TypedResults.Problem(statusCode: StatusCodes.Status428PreconditionRequired, title: "If-Match required",
                    detail: "Send the ETag you read in an If-Match header, so that you cannot overwrite someone else's change by accident.",
                    // ASP.NET Core has no type of its own for 428 (RFC 6585).
                    type: "https://www.rfc-editor.org/rfc/rfc6585#section-3")
                : null;
        var tags = ifMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (tags.Contains("*") || tags.Contains(ETag(currentVersion)))
            return null;
        return Stale(context, currentVersion);
    }

    public static ProblemHttpResult Stale(HttpContext context, int currentVersion)
    {
        SetETag(context, currentVersion);
        return TypedResults.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: "Changed by someone else",
            detail: $"The item has changed since you read it; it is now at ETag {ETag(currentVersion)}. Read it again and redo your change.");
    }

    /// <summary>
    /// Saves; when another request saved the same item first (its version moved on, or its revision number is taken),
    /// answers 412 with the version that won instead.
    /// </summary>
    public static async Task<ProblemHttpResult?> SaveAsync(DbContext db, HttpContext context, Func<Task<int?>> currentVersion, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return null;
        }
        catch (Exception e) when (e is DbUpdateConcurrencyException
            || e is DbUpdateException { InnerException: PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "ix_revisions_content_kind_content_id_number" } })
        {
            db.ChangeTracker.Clear();
            var version = await currentVersion();
            return version is null
                ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "The item was deleted meanwhile.")
                : Stale(context, version.Value);
        }
    }
}

public static class ConcurrencyDocumentation
{
    /// <summary>Documents the answers of a change that needs If-Match.</summary>
    public static RouteHandlerBuilder ProducesConcurrencyProblems(this RouteHandlerBuilder builder) => builder
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status412PreconditionFailed)
        .ProducesProblem(StatusCodes.Status428PreconditionRequired);
}
