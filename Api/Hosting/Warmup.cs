using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ContentApi.Api.Hosting;

public sealed class WarmupOptions
{
    public const string Section = "Warmup";

    /// <summary>Whether the server reads a few of its own pages before it says it is ready.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Longest the warm-up may hold readiness back; after that the server is ready, warm or not.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);
}

/// <summary>
/// Before a fresh server says it is ready (<c>/health/ready</c>), it asks itself, over HTTP, for one of each kind of
/// read: an article by id and by slug, a list by tag, the current pledge, the OData queries integrators send. The
/// first request of each kind pays for loading code, JIT compilation, EF Core's query compilation and OData's set-up
/// (seconds in all on one core); without this, the first users after a deploy, behind a load balancer that waits for
/// readiness, would pay it instead. Each request carries a Host of its own, so no stored answer is served to anyone
/// (with <c>PublicBaseUrl</c> set the Host is replaced: what it stores are the answers any reader would get).
/// </summary>
public sealed class Warmup(IServer server, IHostApplicationLifetime lifetime, IOptions<WarmupOptions> options,
    ILogger<Warmup> logger) : BackgroundService, IHealthCheck
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        // Degraded, not Unhealthy: it is expected, and logged as a warning; /health/ready answers it 503 all the same.
        Task.FromResult(_done.Task.IsCompleted ? HealthCheckResult.Healthy() : HealthCheckResult.Degraded("warming up"));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (!options.Value.Enabled || await StartedAsync(stoppingToken) is not { } address)
                return;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            timeout.CancelAfter(options.Value.Timeout);
            var started = TimeProvider.System.GetTimestamp();
            var count = await ReadAsync(address, timeout.Token);
            logger.LogInformation("Warmed up with {Count} reads in {Elapsed} ms", count,
                (int)TimeProvider.System.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException)
        {
            // The database check says whether the server can serve; a warm-up that could not finish holds nothing back.
            logger.LogWarning("Warm-up stopped early: {Reason}", e.Message);
        }
        finally
        {
            _done.TrySetResult();
        }
    }

    /// <summary>Where the server listens, once it does (null when it listens nowhere a client could reach: tests).</summary>
    private async Task<Uri?> StartedAsync(CancellationToken ct)
    {
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (ct.Register(() => started.TrySetCanceled(ct)))
            await started.Task;
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses
            .FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase));
        if (address is null || !Uri.TryCreate(address.Replace("://+", "://localhost").Replace("://*", "://localhost")
                .Replace("://[::]", "://localhost").Replace("://0.0.0.0", "://localhost"), UriKind.Absolute, out var uri))
            return null;
        return uri;
    }

    private static async Task<int> ReadAsync(Uri address, CancellationToken ct)
    {
        using var client = new HttpClient { BaseAddress = address };
        var n = 0;
        async Task<JsonNode?> Get(string path)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            // A Host of its own: the response store keys on it, so nothing it stores is ever served to a reader.
            request.Headers.Host = $"warmup-{++n}.localhost";
            using var response = await client.SendAsync(request, ct);
            return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonNode>(ct) : null;
        }

        var newest = (await Get("/api/articles?pageSize=20"))?["items"]?[0];
        // An article may have no tags (and an empty database no article): index 0 of an empty array throws.
        var tag = newest?["tags"] is JsonArray { Count: > 0 } tags ? (string?)tags[0] ?? "trafik" : "trafik";
        if (newest is not null)
        {
            await Get($"/api/articles/{newest["id"]}");
            await Get($"/api/articles/by-slug/{newest["slug"]}");
        }
        await Get($"/api/articles?tag={Uri.EscapeDataString(tag)}&pageSize=20");
        await Get("/api/pledges/current");
        var filter = $"$filter=tags/any(t:t eq '{tag.Replace("'", "''")}')&$orderby=publishedAt desc&$top=20";
        await Get($"/odata/Articles?{filter}&$select=title,slug,publishedAt");
        await Get($"/odata/Articles?{filter}&$select=title,slug,publishedAt&$count=true");
        await Get("/odata/Articles?$top=20&$orderby=publishedAt desc&$expand=heroPhoto,contacts");
        await Get("/odata/Contacts?$top=2&$expand=articles($top=2;$expand=heroPhoto)");
        return n;
    }
}
