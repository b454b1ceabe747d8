using ContentApi.Infrastructure;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ContentApi.Api.Hosting;

/// <summary>
/// Turns exceptions a client caused into 4xx problem details, and a database that cannot answer now into a 503 with
/// Retry-After (DatabaseTrouble); everything else stays a logged 500.
/// </summary>
public class ProblemDetailsExceptionHandler(IProblemDetailsService problemDetails, DatabaseOutage outage,
    IOptions<DatabaseOptions> database, ILogger<ProblemDetailsExceptionHandler> log)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (DatabaseTrouble(context, exception) is { } trouble)
            return trouble.Status == StatusCodes.Status499ClientClosedRequest
                ? Quietly(context, trouble.Status)
                : await WriteAsync(context, exception, trouble.Status, trouble.Title, trouble.Detail, trouble.RetryAfter, noStore: true);

        // An OData query is the client's own expression: one the server cannot evaluate is the client's to change.
        var queryFault = ContentRoutes.IsOData(context.Request.Path) ? QueryFault(exception) : null;
        var (status, title, detail) = exception switch
        {
            // Route values, query strings and bodies that do not bind ("page=abc", malformed JSON).
            BadHttpRequestException bad => (bad.StatusCode, "Bad request", bad.Message),
            // $apply=groupby((pledge/year)) where some rows have no pledge: OData cannot write a group under a null navigation.
            Microsoft.OData.ODataException odata when ContentRoutes.IsOData(context.Request.Path) && odata.Message.Contains("has a null value", StringComparison.Ordinal)
                && context.Request.Query.Keys.Any(key => key.TrimStart('$').Equals("apply", StringComparison.OrdinalIgnoreCase)) =>
                (StatusCodes.Status400BadRequest, "Invalid OData query", "A group has no value: grouping by a property of a navigation (pledge/year, heroPhoto/credit) needs every row to have it. "
                    + "Leave the others out first, e.g. $apply=filter(pledge ne null)/groupby((pledge/year),aggregate($count as articles))."),
            // An OData address routing cannot read, such as a parameter alias in a key that the query does not define
            // (/odata/Articles(@x)): no endpoint was chosen yet, so nothing but the address can be at fault.
            Microsoft.OData.ODataException odata when context.GetEndpoint() is null && ContentRoutes.IsOData(context.Request.Path) =>
                (StatusCodes.Status400BadRequest, "Bad OData address", $"The OData address cannot be read: {odata.Message} Keys are written in the address, such as /odata/Articles(3fa85f64-5717-4562-b3fc-2c963f66afa6)."),
            _ when queryFault is not null => (StatusCodes.Status400BadRequest, "Query not supported", queryFault),
            // SQLSTATE class 22, data exceptions, are the values a client sent: a NUL character in a text, a division by
            // zero or an overflow in an OData $filter. The database refuses them; they are the client's to fix.
            _ when Find<PostgresException>(exception) is { SqlState: var state } data && state.StartsWith("22", StringComparison.Ordinal) =>
                (StatusCodes.Status400BadRequest, "Invalid value in the request", $"The database refused a value from the request: {data.MessageText}."),
            // Two writes at once that each checked first: the same slug or year (unique), or content naming a contact or
            // photo that another request deleted meanwhile (foreign key). Nothing was saved; the retry gets a clear answer.
            _ when Find<PostgresException>(exception) is { SqlState: PostgresErrorCodes.UniqueViolation } =>
                (StatusCodes.Status409Conflict, "Conflicting write", "Another request saved the same slug or year at the same moment; nothing was saved. Read the current state and try again."),
            _ when Find<PostgresException>(exception) is { SqlState: PostgresErrorCodes.ForeignKeyViolation } =>
                (StatusCodes.Status409Conflict, "Conflicting write", "Something this write refers to (a contact, photo or pledge) was deleted at the same moment, or is still referred to; nothing was saved. Read the current state and try again."),
            _ => (0, "", ""),
        };
        if (status == 0)
            return false;
        // A 400 for a query that failed inside the server: kept in the log in case it was the server's fault after all.
        if (queryFault is not null)
            log.LogWarning(exception, "OData query {Query} answered 400: it could not be evaluated", context.Request.QueryString.Value);

        return await WriteAsync(context, exception, status, title, detail, retryAfter: null, noStore: false);
    }

    private async ValueTask<bool> WriteAsync(HttpContext context, Exception exception, int status, string title, string detail,
        int? retryAfter, bool noStore)
    {
        if (context.Response.HasStarted)
            return false;
        context.Response.StatusCode = status;
        if (retryAfter is { } seconds)
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // Said of this moment only: no cache or CDN may keep it.
        if (noStore)
            context.Response.Headers.CacheControl = "no-store";
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }

    /// <summary>A client that went away: nothing to answer, nothing to log (nginx's 499 for the access log).</summary>
    private static bool Quietly(HttpContext context, int status)
    {
        if (!context.Response.HasStarted)
            context.Response.StatusCode = status;
        return true;
    }

    private readonly record struct Trouble(int Status, string Title, string Detail, int? RetryAfter);

    /// <summary>
    /// The database could not answer: it cannot be reached (a 503 that says when to try again, and counted in the
    /// <see cref="DatabaseOutage"/>), or it cancelled the statement. An anonymous reader's statement that ran past
    /// Database:AnonymousStatementTimeout is a 400 for an OData query (the client's own query, to narrow) and a 503 for
    /// the REST routes (the API's own fixed queries: the database is overloaded). A statement cancelled because the
    /// client went away (RequestAborted) is answered to no one.
    /// </summary>
    private Trouble? DatabaseTrouble(HttpContext context, Exception exception)
    {
        var retryAfter = outage.RetryAfterSeconds;
        if (DatabaseOutage.IsUnreachable(exception))
        {
            outage.Refused(exception);
            return new(StatusCodes.Status503ServiceUnavailable, "Database unavailable",
                $"The database cannot be reached at the moment, so this request could not be carried out. Try again in {retryAfter} s.",
                retryAfter);
        }
        if (Find<PostgresException>(exception) is not { SqlState: PostgresErrorCodes.QueryCanceled } canceled)
            return null;
        if (context.RequestAborted.IsCancellationRequested)
            return new(StatusCodes.Status499ClientClosedRequest, "", "", null);
        // Not the client's cancel: the statement timeout, or an administrator's pg_cancel_backend (PostgreSQL says "due to
        // user request"; in a server that speaks another language that rare case is taken for the timeout).
        if (canceled.MessageText.Contains("user request", StringComparison.Ordinal))
            return new(StatusCodes.Status503ServiceUnavailable, "Query cancelled",
                $"The database cancelled the query. Try again in {retryAfter} s.", retryAfter);
        var limit = database.Value.AnonymousStatementTimeout.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
        return ContentRoutes.IsOData(context.Request.Path)
            ? new(StatusCodes.Status400BadRequest, "Query too expensive",
                $"The query took longer than {limit} s, the limit for anonymous queries. Narrow it: a more selective $filter, fewer or shallower $expand, a smaller $top.",
                null)
            : new(StatusCodes.Status503ServiceUnavailable, "Database overloaded",
                $"The database did not answer within {limit} s. Try again in {retryAfter} s.", retryAfter);
    }

    /// <summary>What to tell the client when its OData query could not be run, or null when that is not the cause.</summary>
    private static string? QueryFault(Exception exception)
    {
        // EF Core cannot turn it into SQL.
        if (Find<InvalidOperationException>(exception) is { } untranslatable
            && untranslatable.Message.Contains("could not be translated", StringComparison.Ordinal))
            return "The OData query asks for something the database cannot compute; simplify $filter, $select or $expand.";
        // It fails while it is evaluated (a constant division by zero, an overflow, a bad pattern or cast), or
        // PostgreSQL has no operator for it (class 42). Data errors (class 22) are answered below.
        var evaluation = Find<PostgresException>(exception) is { SqlState: var state }
            ? state.StartsWith("42", StringComparison.Ordinal)
            : Find<ArithmeticException>(exception) is not null || Find<ArgumentException>(exception) is not null
              || Find<FormatException>(exception) is not null || Find<InvalidCastException>(exception) is not null
              || Find<NullReferenceException>(exception) is not null;
        return evaluation
            ? "The OData query cannot be evaluated (a division by zero, an overflow, a value of the wrong type, or an operation the database does not have for these types); change $filter or $orderby."
            : null;
    }

    private static T? Find<T>(Exception? exception) where T : Exception
    {
        for (; exception is not null; exception = exception.InnerException)
            if (exception is T found)
                return found;
        return null;
    }
}

/// <summary>Fills in a detail for the answers the framework makes without one (unknown routes, wrong methods).</summary>
public static class ProblemDefaults
{
    public static void Fill(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (!string.IsNullOrEmpty(problem.Detail))
            return;
        var request = context.HttpContext.Request;
        problem.Detail = problem.Status switch
        {
            StatusCodes.Status404NotFound => $"Nothing is at {request.Path}. Ids are GUIDs, years are numbers such as 2024; the routes are in the OpenAPI document (openapi/contentapi.json in the repository).",
            StatusCodes.Status405MethodNotAllowed => $"{request.Method} is not allowed on {request.Path}.",
            StatusCodes.Status415UnsupportedMediaType => "Send the body as application/json.",
            StatusCodes.Status413PayloadTooLarge => BodyLimit(context.HttpContext) is { } limit
                ? $"The request body is larger than the {limit.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} bytes (about {limit / 1_000_000} MB) this server accepts."
                : "The request body is larger than this server accepts.",
            _ => problem.Detail,
        };
    }

    private static long? BodyLimit(HttpContext context) =>
        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
}

/// <summary>
/// Problem details are this API's one error format: a client that asks for XML or HTML (<c>Accept: application/xml</c>)
/// still gets problem+json, where ASP.NET Core's own writer declines and the answer would be empty, plain text, or a
/// 500 (a challenge with no writer). Registered after the default writer, so it only writes what that one declines.
/// </summary>
public sealed class ProblemJsonFallbackWriter(IOptions<ProblemDetailsOptions> options, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var response = context.HttpContext.Response;
        var problem = context.ProblemDetails;
        problem.Status ??= response.StatusCode;
        problem.Title ??= ReasonPhrases.GetReasonPhrase(problem.Status.Value);
        problem.Extensions.TryAdd("traceId", System.Diagnostics.Activity.Current?.Id ?? context.HttpContext.TraceIdentifier);
        options.Value.CustomizeProblemDetails?.Invoke(context);
        return new ValueTask(response.WriteAsJsonAsync(problem, json.Value.SerializerOptions, "application/problem+json"));
    }
}
