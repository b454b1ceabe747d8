using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.OData.Query;
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

    public override void OnActionExecuting(ActionExecutingContext context)
    {
        base.OnActionExecuting(context);
        context.Result = AsProblem(context.Result);
    }

    public override void OnActionExecuted(ActionExecutedContext context)
    {
        base.OnActionExecuted(context);
        context.Result = context.Result is StatusCodeResult { StatusCode: StatusCodes.Status404NotFound } or NotFoundObjectResult
            ? NotFound(context.HttpContext.Request)
            : AsProblem(context.Result);
    }

    private static ObjectResult NotFound(HttpRequest request) => new(new ProblemDetails
    {
        Status = StatusCodes.Status404NotFound,
        Title = "Not found",
        Detail = $"Nothing published has the key in {request.Path}.",
    })
    {
        StatusCode = StatusCodes.Status404NotFound,
        ContentTypes = { "application/problem+json" },
    };

    private static string Describe(SerializableError error)
    {
        var message = error.TryGetValue("Message", out var m) ? m?.ToString() ?? "" : "";
        var reason = error.TryGetValue("ExceptionMessage", out var r) ? r?.ToString() ?? "" : "";
        return message.Contains(reason, StringComparison.Ordinal) ? message : $"{message} {reason}".Trim();
    }

    /// <summary>OData answers a bad query with its own error object; clients of this API get problem+json.</summary>
    private static IActionResult? AsProblem(IActionResult? result)
    {
        if (result is not ObjectResult { StatusCode: >= 400 and < 500 } error || error.Value is ProblemDetails)
            return result;
        var detail = error.Value switch
        {
            ODataError odata => odata.Message,
            // OData's error holds Message ("The query specified in the URI is not valid.") and ExceptionMessage (why).
            SerializableError serializable => Describe(serializable),
            string text => text,
            var other => other?.ToString() ?? "The OData query is not valid.",
        };
        return new ObjectResult(new ProblemDetails
        {
            Status = error.StatusCode,
            Title = "Invalid OData query",
            Detail = detail,
        })
        {
            StatusCode = error.StatusCode,
            ContentTypes = { "application/problem+json" },
        };
    }
}
