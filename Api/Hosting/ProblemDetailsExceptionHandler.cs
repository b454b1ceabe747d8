using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

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
            _ => (0, "", ""),
        };
        if (status == 0)
            return false;

        context.Response.StatusCode = status;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }
}
