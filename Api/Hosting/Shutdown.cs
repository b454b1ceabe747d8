using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ContentApi.Api.Hosting;

public sealed class ShutdownOptions
{
    public const string Section = "Shutdown";

    /// <summary>
    /// How long the server keeps serving, with <c>/health/ready</c> answering 503, between SIGTERM and closing its
    /// listener: time for a load balancer that polls readiness to stop sending new requests here before they would be
    /// refused. Part of <c>HostOptions:ShutdownTimeout</c>, which bounds the whole shutdown.
    /// </summary>
    public TimeSpan ReadinessDelay { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// A deploy's SIGTERM, in order: <c>/health/ready</c> answers 503 at once (this check); for
/// <see cref="ShutdownOptions.ReadinessDelay"/> everything else is served as before; then Kestrel stops listening and
/// the requests in flight, bodies still arriving included, have what is left of <c>HostOptions:ShutdownTimeout</c>
/// (default 30 s) to finish before their connections are closed and the process exits.
/// </summary>
public sealed class ShutdownReadiness(IHostApplicationLifetime lifetime, IOptions<ShutdownOptions> options,
    ILogger<ShutdownReadiness> log) : IHealthCheck, IHostedLifecycleService
{
    private volatile bool _stopping;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        // Degraded, not Unhealthy: expected, so a warning in the log, not an error; /health/ready answers it 503.
        Task.FromResult(_stopping || lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Degraded("shutting down")
            : HealthCheckResult.Healthy());

    /// <summary>Runs before the server stops (SIGTERM has already cancelled ApplicationStopping).</summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        var delay = options.Value.ReadinessDelay;
        if (delay <= TimeSpan.Zero)
            return;
        log.LogInformation("Shutting down: not ready, still serving for {Delay} s before the listener closes", delay.TotalSeconds);
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The shutdown timeout is over: stop now.
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class ShutdownSetup
{
    /// <summary>Readiness that turns 503 on SIGTERM, the delay before the listener closes, and the drain period.</summary>
    public static void AddShutdown(this IHostApplicationBuilder builder)
    {
        // HostOptions:ShutdownTimeout (default 30 s): the drain period, bound as the Configuration table says.
        builder.Services.Configure<HostOptions>(builder.Configuration.GetSection("HostOptions"));
        builder.Services.Configure<ShutdownOptions>(builder.Configuration.GetSection(ShutdownOptions.Section));
        builder.Services.AddSingleton<ShutdownReadiness>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ShutdownReadiness>());
        builder.Services.AddHealthChecks().AddCheck<ShutdownReadiness>("shutdown", tags: ["ready"]);
    }

    /// <summary>
    /// Request bodies are read through a pipe over the request stream, not Kestrel's own pipe. When Kestrel shuts down
    /// it cancels the pending read of every connection (so idle ones wake up and close). Its body reader hides that
    /// cancellation from the application, except when the last read examined bytes it did not consume
    /// (dotnet/aspnetcore#19476) — which is how System.Text.Json reads a JSON body from the pipe since .NET 10, so a
    /// body still arriving at SIGTERM failed 0.3–0.5 s later with "PipeReader.ReadAsync was canceled". The request
    /// stream consumes whatever it reads, so its reads are never cancelled by the shutdown.
    /// </summary>
    public static void UseShutdownDrain(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (context.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: true })
                context.Features.Set<IRequestBodyPipeFeature>(new RequestBodyPipeFeature(context));
            return next(context);
        });
}
