using System.Net;
using Microsoft.Extensions.Options;

namespace ContentApi.Api.Webhooks;

/// <summary>Webhook delivery, section "Webhooks".</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>Whether this instance sends webhooks (admins can manage subscriptions either way).</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>How long a delivery is retried, from its first attempt, before it is marked failed.</summary>
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromHours(24);
    /// <summary>A subscription whose deliveries have failed this long without a success between is disabled.</summary>
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(5);
    /// <summary>The longest an attempt may take, connection and answer together.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>The wait before the first retry; each retry waits about twice as long as the one before, with jitter.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>The longest wait between two retries.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);
    /// <summary>
    /// How often the log and due retries are looked at without a notification (changes wake the sender at once through
    /// PostgreSQL's LISTEN content_changes; this is the fallback, and the pace of retries).
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>Networks (CIDR, e.g. <c>10.20.0.0/16</c>) that webhooks may reach although they are internal.</summary>
    public string[] AllowedNetworks { get; set; } = [];
    /// <summary>
    /// Deliveries sent at once by one instance. Each uses a database connection now and then (to read what it sends and
    /// record the attempt): count them in the pools' sizes.
    /// </summary>
    public int BatchSize { get; set; } = 8;

    public bool IsValid(out string error)
    {
        var problems = new List<string>();
        if (RetryFor < TimeSpan.Zero)
            problems.Add("RetryFor must not be negative");
        if (DisableAfter <= TimeSpan.Zero)
            problems.Add("DisableAfter must be positive");
        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromMinutes(5))
            problems.Add("Timeout must be positive and at most 5 minutes");
        if (FirstRetryDelay <= TimeSpan.Zero || MaxRetryDelay < FirstRetryDelay)
            problems.Add("FirstRetryDelay must be positive and MaxRetryDelay at least as long");
        if (PollInterval <= TimeSpan.Zero)
            problems.Add("PollInterval must be positive");
        if (BatchSize is < 1 or > 1000)
            problems.Add("BatchSize must be 1 to 1000");
        foreach (var network in AllowedNetworks)
            if (!IPNetwork.TryParse(network, out _))
                problems.Add($"AllowedNetworks: '{network}' is not a network in CIDR notation such as 10.20.0.0/16 or ::1/128");
        error = $"Webhooks: {string.Join("; ", problems)}.";
        return problems.Count == 0;
    }
}

public static class WebhookSetup
{
    public const string HttpClientName = "webhooks";

    /// <summary>Options, the network rule, the HTTP client that keeps to it, and the sender in the background.</summary>
    public static void AddWebhooks(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebhookOptions>().Bind(builder.Configuration.GetSection(WebhookOptions.Section))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidation>();
        builder.Services.AddSingleton(services => Destinations.From(services.GetRequiredService<IOptions<WebhookOptions>>().Value.AllowedNetworks));
        builder.Services.AddHttpClient(HttpClientName, client =>
            {
                // Each attempt has its own deadline (Webhooks:Timeout).
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.DefaultRequestHeaders.UserAgent.ParseAdd("ContentApi-Webhooks/1");
            })
            .ConfigurePrimaryHttpMessageHandler(services => new SocketsHttpHandler
            {
                // A 3xx is an answer like any other failure: following it would reach an address nobody checked.
                AllowAutoRedirect = false,
                // A proxy would make the connection, and the network rule would check the proxy's address.
                UseProxy = false,
                ConnectCallback = services.GetRequiredService<Destinations>().ConnectAsync,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            });
        builder.Services.AddSingleton<WebhookSender>();
        builder.Services.AddSingleton<WebhookPayloads>();
        builder.Services.AddSingleton<WebhookDispatcher>();
        builder.Services.AddHostedService(services => services.GetRequiredService<WebhookDispatcher>());
    }
}

internal sealed class WebhookOptionsValidation : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions options) =>
        options.IsValid(out var error) ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(error);
}
