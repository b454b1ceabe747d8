using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.OData.Extensions;
using Microsoft.AspNetCore.OData.Query;
using System.Text.RegularExpressions;
using Microsoft.OData;

namespace ContentApi.Api.OData;

/// <summary>
/// [EnableQuery] with the API's limits, and errors as RFC 9457 problem+json like the rest of the API instead of
/// OData's own error format.
/// </summary>
public sealed class ContentQueryAttribute : EnableQueryAttribute
{
    public const int MaxPageSize = 100;

    public ContentQueryAttribute()
    {
        PageSize = MaxPageSize;
        MaxTop = MaxPageSize;
        MaxSkip = 1_000_000;
        MaxExpansionDepth = 2;
        MaxAnyAllExpressionDepth = 2;
        MaxNodeCount = 200;
        MaxOrderByNodeCount = 5;
        AllowedQueryOptions = AllowedQueryOptions.Supported & ~AllowedQueryOptions.Apply & ~AllowedQueryOptions.Compute
            & ~AllowedQueryOptions.Search;
        AllowedFunctions = AllowedFunctions.AllStringFunctions | AllowedFunctions.AllDateTimeFunctions
            | AllowedFunctions.Any | AllowedFunctions.All | AllowedFunctions.Cast | AllowedFunctions.IsOf;
    }

    /// <summary>
    /// Article bodies and a pledge's areas, signatories and efforts are JSON documents in one column each: they can be
    /// selected, but filtering or sorting inside them would scan every row, so they are refused. (Marking them
    /// not-filterable in the EDM would make $metadata claim that the whole set requires a filter.)
    /// </summary>
    public static readonly string[] DocumentProperties = ["body", "priorityAreas", "signatories", "ongoingEfforts", "renditions"];

    private static readonly Regex QuotedText = new("'([^']|'')*'", RegexOptions.Compiled);
    private static readonly Regex DocumentReference = new(
        @"\b(" + string.Join('|', DocumentProperties) + @")\b", RegexOptions.Compiled);
    private static readonly Regex Renditions = new(@"\brenditions\b", RegexOptions.Compiled);
    private static readonly Regex NestedFilterOrOrder = new(@"\$(filter|orderby)=[^;)]*", RegexOptions.Compiled);

    public override void ValidateQuery(HttpRequest request, ODataQueryOptions queryOptions)
    {
        base.ValidateQuery(request, queryOptions);
        var filterAndOrder = string.Join(' ', queryOptions.Filter?.RawValue, queryOptions.OrderBy?.RawValue,
            string.Join(' ', NestedFilterOrOrder.Matches(queryOptions.SelectExpand?.RawExpand ?? "").Select(m => m.Value)));
        var match = DocumentReference.Match(QuotedText.Replace(filterAndOrder, "''"));
        if (match.Success)
            throw new ODataException(
                $"'{match.Value}' can be selected but not used in $filter or $orderby: it is a document stored whole.");
        // OData v4 answers in JSON only; another $format was silently answered in JSON.
        if (queryOptions.RawValues.Format is { Length: > 0 } format
            && !(format.StartsWith("json", StringComparison.OrdinalIgnoreCase) || format.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)))
            throw new ODataException($"$format={format} is not offered: answers are JSON ($format=json, or leave it out).");
        if (queryOptions.SkipToken is not null && !NextLinks.CanContinue(queryOptions.OrderBy?.OrderByClause, request))
            throw new ODataException(
                "$skiptoken continues only an order by the entity's own properties that cannot be null in what you see: follow the @odata.nextLink of the previous page, which uses $skip for other orders. (A link made for anonymous reading continues publishedAt by token; with credentials, which show undated drafts too, start again without $skiptoken.)");
        // A photo's renditions are computed from the whole row, after the database has answered.
        if (Renditions.IsMatch(string.Join(' ', queryOptions.SelectExpand?.RawSelect, queryOptions.SelectExpand?.RawExpand)))
            throw new ODataException("A photo's renditions come with the whole photo: leave renditions out of $select, or leave out $select.");
    }

    /// <summary>
    /// [EnableQuery] runs the query, and $count, synchronously (Microsoft.AspNetCore.OData has no asynchronous path for
    /// an IQueryable). That work runs on a thread of its own: a burst of OData requests waiting for PostgreSQL would
    /// otherwise hold the thread pool's threads, which the pool replaces only slowly, and every other request would wait.
    /// </summary>
    public override async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        OnActionExecuting(context);
        if (context.Result is not null)
            return;
        var executed = await next();
        // At most so many at once (each holds a thread and a database connection); the rest wait without a thread.
        await QuerySlots.WaitAsync(context.HttpContext.RequestAborted);
        try
        {
            await Task.Factory.StartNew(() =>
            {
                OnActionExecuted(executed);
                // $count is otherwise counted while the answer is written, back on the thread pool.
                _ = context.HttpContext.ODataFeature().TotalCount;
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
        finally
        {
            QuerySlots.Release();
        }
    }

    private static readonly SemaphoreSlim QuerySlots = new(32);

    public override void OnActionExecuting(ActionExecutingContext context)
    {
        // Microsoft.AspNetCore.OData throws an ArgumentException (a 500) for an empty $skiptoken (or skiptoken: it reads
        // its options without the "$" too).
        if (context.HttpContext.Request.Query.Any(option => option.Key.TrimStart('$').Equals("skiptoken", StringComparison.OrdinalIgnoreCase)
                && option.Value.Any(string.IsNullOrEmpty)))
        {
            context.Result = Problem(context.HttpContext, StatusCodes.Status400BadRequest, "Invalid OData query",
                "$skiptoken is empty: follow the @odata.nextLink of the previous page as it is.");
            return;
        }
        base.OnActionExecuting(context);
        context.Result = AsProblem(context.HttpContext, context.Result);
    }

    public override void OnActionExecuted(ActionExecutedContext context)
    {
        base.OnActionExecuted(context);
        context.Result = context.Result is StatusCodeResult { StatusCode: StatusCodes.Status404NotFound } or NotFoundObjectResult
            ? Problem(context.HttpContext, StatusCodes.Status404NotFound, "Not found",
                $"Nothing published has the key in {context.HttpContext.Request.Path}.")
            : AsProblem(context.HttpContext, context.Result);
    }

    private static ObjectResult Problem(HttpContext context, int status, string title, string detail) => new(new ProblemDetails
    {
        Type = $"https://tools.ietf.org/html/rfc9110#section-15.5.{(status == StatusCodes.Status404NotFound ? 5 : 1)}",
        Status = status,
        Title = title,
        Detail = detail,
        Extensions = { ["traceId"] = System.Diagnostics.Activity.Current?.Id ?? context.TraceIdentifier },
    })
    {
        StatusCode = status,
        ContentTypes = { "application/problem+json" },
    };

    // OData's messages end with advice for the server's developers ("set the 'MaxTop' property on
    // EnableQueryAttribute"); a client can do nothing with it.
    private static readonly Regex ServerAdvice = new(@"\s*[^.]*(EnableQueryAttribute|ODataValidationSettings|To increase the limit)[^.]*\.", RegexOptions.Compiled);

    private static string Describe(SerializableError error)
    {
        var message = error.TryGetValue("Message", out var m) ? m?.ToString() ?? "" : "";
        var reason = error.TryGetValue("ExceptionMessage", out var r) ? r?.ToString() ?? "" : "";
        return message.Contains(reason, StringComparison.Ordinal) ? message : $"{message} {reason}".Trim();
    }

    /// <summary>OData answers a bad query with its own error object; clients of this API get problem+json.</summary>
    private static IActionResult? AsProblem(HttpContext context, IActionResult? result)
    {
        if (result is not ObjectResult { StatusCode: >= 400 and < 500 } error || error.Value is ProblemDetails)
            return result;
        var detail = error.Value switch
        {
            ODataError odata => odata.Message,
            SerializableError serializable => Describe(serializable),
            string text => text,
            var other => other?.ToString() ?? "The OData query is not valid.",
        };
        detail = ServerAdvice.Replace(detail, "").Trim();
        return Problem(context, error.StatusCode!.Value, "Invalid OData query", detail);
    }
}
