using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace ContentApi.Api.Hosting;

/// <summary>Turns exceptions a client caused into 4xx problem details; everything else stays a logged 500.</summary>
public class ProblemDetailsExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        var (status, title, detail) = exception switch
        {
            // Route values, query strings and bodies that do not bind ("page=abc", malformed JSON).
            BadHttpRequestException bad => (bad.StatusCode, "Bad request", bad.Message),
            // SQLSTATE class 22, data exceptions, are the values a client sent: a NUL character in a text, a division by
            // zero or an overflow in an OData $filter. The database refuses them; they are the client's to fix.
            // Safety net: an OData query the client wrote that EF Core cannot turn into SQL is the client's to change.
            _ when context.Request.Path.StartsWithSegments("/odata")
                && Find<InvalidOperationException>(exception) is { } untranslatable
                && untranslatable.Message.Contains("could not be translated", StringComparison.Ordinal) =>
                (StatusCodes.Status400BadRequest, "Query not supported", "The OData query asks for something the database cannot compute; simplify $filter, $select or $expand."),
            _ when Find<PostgresException>(exception) is { SqlState: var state } data && state.StartsWith("22", StringComparison.Ordinal) =>
                (StatusCodes.Status400BadRequest, "Invalid value in the request", $"The database refused a value from the request: {data.MessageText}."),
            _ => (0, "", ""),
        };
        if (status == 0)
            return false;

        if (context.Response.HasStarted)
            return false;
        context.Response.StatusCode = status;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
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
            StatusCodes.Status404NotFound => $"Nothing is at {request.Path}. Ids are GUIDs, years are numbers such as 2024; see /swagger for the routes.",
            StatusCodes.Status405MethodNotAllowed => $"{request.Method} is not allowed on {request.Path}.",
            StatusCodes.Status415UnsupportedMediaType => "Send the body as application/json.",
            _ => problem.Detail,
        };
    }
}
