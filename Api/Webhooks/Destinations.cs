using System.Net;
using System.Net.Sockets;

namespace ContentApi.Api.Webhooks;

/// <summary>
/// Where webhooks may go. An administrator's URL must not turn the API into a way into the municipality's own network
/// (SSRF): addresses in private, loopback, link-local, unique-local, shared (CGNAT), multicast, reserved and unspecified
/// ranges are refused, IPv4-mapped IPv6 addresses as the IPv4 address they carry, unless <c>Webhooks:AllowedNetworks</c>
/// lists a network that holds them. The rule is checked when a URL is registered and again on every connection, against
/// the address the name resolves to then (a name that resolved to a public address at registration may point inward
/// later: DNS rebinding).
/// </summary>
public sealed class Destinations(IReadOnlyList<IPNetwork> allowed)
{
    private static readonly IPNetwork[] Refused =
    [
        .. new[]
        {
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
            "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",
            "224.0.0.0/4", "240.0.0.0/4",
            // IPv4-compatible (::a.b.c.d), 6to4 and Teredo carry an IPv4 address inside: refused whole.
            "::/96", "2002::/16", "2001::/32",
            "::1/128", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001:db8::/32", "fc00::/7", "fe80::/10",
            "fec0::/10", "ff00::/8",
        }.Select(network => IPNetwork.Parse(network)),
    ];

    public static Destinations From(IEnumerable<string> allowedNetworks) => new([.. allowedNetworks.Select(n => IPNetwork.Parse(n))]);

    /// <summary>Whether an address may be connected to.</summary>
    public bool Allows(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (allowed.Any(network => network.Contains(address)))
            return true;
        return !Refused.Any(network => network.Contains(address));
    }

    /// <summary>
    /// What is wrong with a URL as a destination, in words for the admin who typed it; null when it is fine. Resolves
    /// the host name, and refuses it when any address it resolves to is refused.
    /// </summary>
    public async Task<string?> CheckAsync(string? url, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(url))
            return "url is required: the address the webhooks are POSTed to, such as https://example.org/hooks/content.";
        if (url.Length > Domain.WebhookSubscription.UrlMaxLength)
            return $"url is at most {Domain.WebhookSubscription.UrlMaxLength} characters.";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            return $"url '{url}' is not an absolute address; write it with its scheme, such as https://example.org/hooks/content.";
        if (uri.Scheme is not ("http" or "https"))
            return $"url must be an http or https address (got scheme '{uri.Scheme}').";
        if (uri.UserInfo.Length > 0)
            return "url must not carry a user name or password; the receiver checks the signature (webhook-signature) instead.";
        if (uri.Fragment.Length > 0)
            return "url must not have a fragment (#…): it is never sent.";
        IPAddress[] addresses;
        if (IPAddress.TryParse(uri.IdnHost, out var literal))
            addresses = [literal];
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(uri.IdnHost, ct);
            }
            // A name too long for DNS (over 255 characters) is an ArgumentException.
            catch (Exception e) when (e is SocketException or ArgumentException)
            {
                return $"The host name '{uri.Host}' cannot be resolved; check the address.";
            }
            if (addresses.Length == 0)
                return $"The host name '{uri.Host}' cannot be resolved; check the address.";
        }
        var refused = addresses.FirstOrDefault(address => !Allows(address));
        return refused is null
            ? null
            : $"url points to {refused}, an address in a private, loopback, link-local or otherwise internal range; webhooks go to "
                + "public addresses only (an operator may allow a network with Webhooks:AllowedNetworks).";
    }

    /// <summary>
    /// Connects only to addresses the rule allows, resolving the name now: the check that counts, since what a name
    /// resolves to can change after registration.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        var usable = addresses.Where(Allows).ToArray();
        if (usable.Length == 0)
            throw new DestinationRefusedException(
                $"{host} resolves to {string.Join(", ", addresses.Select(a => a.ToString()))}, an internal address; refused (Webhooks:AllowedNetworks).");
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(usable, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>A destination the network rule refuses at connect time.</summary>
public sealed class DestinationRefusedException(string message) : Exception(message);
