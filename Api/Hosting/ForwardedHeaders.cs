using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace ContentApi.Api.Hosting;

/// <summary>
/// Which reverse proxies (or CDN edges) are trusted to say who the client is and how it connected, section
/// "ForwardedHeaders". Only X-Forwarded-For (the client's address: rate limits, audit log) and X-Forwarded-Proto (http
/// or https: links in answers, the store's key) are read; X-Forwarded-Host is not (the host comes from PublicBaseUrl).
/// With neither list set, only a proxy on the same machine (loopback) is trusted, as ASP.NET Core does; setting either
/// list replaces that default, so loopback is trusted then only if listed.
/// </summary>
public sealed class ProxyTrustOptions
{
    public const string Section = "ForwardedHeaders";

    /// <summary>Addresses of trusted proxies, e.g. "10.0.0.5".</summary>
    public string[] KnownProxies { get; set; } = [];
    /// <summary>Networks of trusted proxies in CIDR notation, e.g. "10.0.0.0/8" or a CDN's published ranges.</summary>
    public string[] KnownNetworks { get; set; } = [];
    /// <summary>How many proxies in a row are trusted (entries read from the right of X-Forwarded-For).</summary>
    public int ForwardLimit { get; set; } = 1;
}

public static class ForwardedHeadersSetup
{
    public static void AddForwardedClient(this WebApplicationBuilder builder)
    {
        var trust = builder.Configuration.GetSection(ProxyTrustOptions.Section).Get<ProxyTrustOptions>() ?? new ProxyTrustOptions();
        builder.Services.Configure<ForwardedHeadersOptions>(options => Configure(options, trust));
    }

    /// <summary>First of all middleware: the store keys on the scheme, rate limits and the audit log on the client.</summary>
    public static void UseForwardedClient(this WebApplication app) => app.UseForwardedHeaders();

    private static void Configure(ForwardedHeadersOptions options, ProxyTrustOptions trust)
    {
        options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        options.ForwardLimit = trust.ForwardLimit;
        if (trust.KnownProxies.Length == 0 && trust.KnownNetworks.Length == 0)
            return;
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in trust.KnownProxies)
            options.KnownProxies.Add(IPAddress.TryParse(proxy, out var address) ? address
                : throw new InvalidOperationException($"{ProxyTrustOptions.Section}:KnownProxies: '{proxy}' is not an IP address."));
        foreach (var network in trust.KnownNetworks)
            options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var parsed) ? parsed
                : throw new InvalidOperationException($"{ProxyTrustOptions.Section}:KnownNetworks: '{network}' is not a network in CIDR notation (e.g. 10.0.0.0/8)."));
    }
}
