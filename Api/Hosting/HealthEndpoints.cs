using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace ContentApi.Api.Hosting;

public static class HealthEndpoints
{
    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        // Live: the process answers. Ready: it can also reach the database.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
    }
}
