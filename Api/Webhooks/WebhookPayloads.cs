using System.Text.Json;
using ContentApi.Api.Hosting;
using ContentApi.Api.Reading;
using ContentApi.Domain;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Api.Webhooks;

/// <summary>Where to read an item: its REST and OData addresses (the REST one is null for a pledge out of public view).</summary>
public sealed record WebhookUrls(string? Rest, [property: System.Text.Json.Serialization.JsonPropertyName("odata")] string OData);

/// <summary>What changed: the item, its slug when the public sees it now, its version after the change, and where to read it.</summary>
public sealed record WebhookChange(string Kind, Guid Id, string? Slug, int? Version, string Change, WebhookUrls Urls);

/// <summary>The body of every webhook: the event type, when it happened, and its data.</summary>
public sealed record WebhookPayload<T>(string Type, DateTimeOffset Timestamp, T Data);

/// <summary>A ping's data: which subscription asked for it.</summary>
public sealed record WebhookPing(Guid SubscriptionId, string Message);

/// <summary>
/// Writes the payloads. They say what happened and where to read it, never the content itself: what is public now is
/// read through <see cref="ContentReader"/>'s anonymous face (a slug only when the item is public now, a removed item
/// only as the log has it), so a draft cannot reach a receiver. Links are absolute from <c>PublicBaseUrl</c> (a
/// background service has no request to take them from; without the setting, the first address the server listens on).
/// </summary>
public sealed class WebhookPayloads(IConfiguration configuration, IServer server)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private string BaseAddress
    {
        get
        {
            var address = PublicAddress.Read(configuration)?.ToString()
                ?? server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                ?? "http://localhost/";
            return address.EndsWith('/') ? address : address + "/";
        }
    }

    public string Ping(Guid subscriptionId, DateTimeOffset now) => JsonSerializer.Serialize(
        new WebhookPayload<WebhookPing>(WebhookEvents.Ping, now, new(subscriptionId, "A test event sent by an admin; no content changed.")), Json);

    /// <summary>The payload of a delivery of a change-log entry, read as an anonymous caller would.</summary>
    public async Task<string> ChangeAsync(IServiceProvider services, WebhookDelivery delivery, CancellationToken ct)
    {
        var reader = ContentReader.For(new DefaultHttpContext { RequestServices = services });
        var kind = delivery.ContentKind!.Value;
        var id = delivery.ContentId!.Value;
        var removed = delivery.Change == ChangeKind.Removed;
        var root = BaseAddress;
        string? slug = null;
        string? rest = $"{root}{ContentRoutes.Articles.TrimStart('/')}/{id}";
        switch (kind)
        {
            case ContentKind.Article:
                if (!removed)
                    slug = await reader.Articles.Where(a => a.Id == id).Select(a => a.Slug).FirstOrDefaultAsync(ct);
                break;
            case ContentKind.Pledge:
                var year = removed ? null : await reader.Pledges.Where(p => p.Id == id).Select(p => (int?)p.Year).FirstOrDefaultAsync(ct);
                rest = year is null ? null : $"{root}{ContentRoutes.Pledges.TrimStart('/')}/by-year/{year}";
                break;
            case ContentKind.Photo:
                rest = $"{root}{ContentRoutes.Photos.TrimStart('/')}/{id}";
                break;
            case ContentKind.Contact:
                rest = $"{root}{ContentRoutes.Contacts.TrimStart('/')}/{id}";
                break;
        }
        var odata = $"{root}{ContentRoutes.ODataPrefix}/{kind}s({id})";
        var change = new WebhookChange(WebhookEvents.Name(kind), id, slug, delivery.Version,
            delivery.Change.ToString()!.ToLowerInvariant(), new(rest, odata));
        return JsonSerializer.Serialize(new WebhookPayload<WebhookChange>(delivery.Type, delivery.ChangedAt ?? delivery.CreatedAt, change), Json);
    }
}
