using ContentApi.Domain;

namespace ContentApi.Api.Webhooks;

/// <summary>
/// A subscription to register or replace: <c>url</c> (http or https, public), <c>events</c> (types such as
/// <c>article.upserted</c>, wildcards such as <c>article.*</c> or <c>*</c>), an optional <c>description</c>, and
/// <c>enabled</c> (default true; enabling a disabled subscription clears its reason and retries what is pending).
/// </summary>
public record WebhookInput(string Url, List<string> Events, string? Description = null, bool Enabled = true);

/// <summary>
/// A subscription as admins see it. The secret is never shown again after the answer that made it (or rotated it).
/// <c>disabledReason</c> says why the delivery service disabled it; <c>failingSince</c>, since when its deliveries
/// have failed without a success.
/// </summary>
public record WebhookDto(Guid Id, string Url, List<string> Events, string? Description, bool Enabled, string? DisabledReason,
    DateTimeOffset? FailingSince, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A new subscription, with its signing secret (<c>whsec_</c> and base64): shown this once.</summary>
public record WebhookCreatedDto(Guid Id, string Url, List<string> Events, string? Description, bool Enabled, DateTimeOffset CreatedAt, string Secret);

/// <summary>A subscription's new secret, shown this once; the old one stops signing at once.</summary>
public record WebhookSecretDto(Guid Id, string Secret);

/// <summary>One attempt: when, its number, the receiver's HTTP status (null without an answer), the time it took, and the start of the answer or what went wrong.</summary>
public record WebhookAttemptDto(int Attempt, DateTimeOffset At, int? Status, bool Succeeded, int LatencyMs, string? Excerpt);

/// <summary>
/// One message to the subscription, with every attempt (oldest first). <c>state</c> is <c>Pending</c> (with
/// <c>nextAttemptAt</c>), <c>Succeeded</c> or <c>Failed</c> (no more retries); <c>messageId</c> is its
/// <c>webhook-id</c>, the same on every attempt and redelivery.
/// </summary>
public record WebhookDeliveryDto(long Id, string MessageId, string Type, string? ContentKind, Guid? ContentId, int? Version,
    string State, DateTimeOffset CreatedAt, DateTimeOffset? NextAttemptAt, List<WebhookAttemptDto> Attempts);

/// <summary>A page of the delivery log, newest first; <c>nextPage</c> continues after its last delivery.</summary>
public record WebhookDeliveryPage(List<WebhookDeliveryDto> Items, int PageSize, string? NextPage);

public static class WebhookMapping
{
    public static WebhookDto AsDto(this WebhookSubscription s) =>
        new(s.Id, s.Url, s.Events, s.Description, s.Enabled, s.DisabledReason, s.FailingSince, s.CreatedAt, s.UpdatedAt);
}
