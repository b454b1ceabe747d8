namespace ContentApi.Domain;

/// <summary>
/// An admin's subscription to changes: where to send them, which event types, and the secret that signs them
/// (Standard Webhooks). The delivery service fans the change log out to it from <see cref="Position"/> on.
/// </summary>
public class WebhookSubscription
{
    public const int UrlMaxLength = 2000;
    public const int DescriptionMaxLength = 200;
    public const int ReasonMaxLength = 500;

    public Guid Id { get; set; }
    public string Url { get; set; } = "";
    public string? Description { get; set; }
    /// <summary>Event types and wildcards (<see cref="WebhookEvents"/>).</summary>
    public List<string> Events { get; set; } = [];
    /// <summary><c>whsec_</c> and the base64 key; kept in clear, since signing needs it.</summary>
    public string Secret { get; set; } = "";
    public bool Enabled { get; set; } = true;
    /// <summary>Why the delivery service disabled it; null when an admin did, or it is enabled.</summary>
    public string? DisabledReason { get; set; }
    /// <summary>Since when its deliveries have failed without a success between; null when the last one succeeded.</summary>
    public DateTimeOffset? FailingSince { get; set; }
    /// <summary>The last change-log position fanned out to it: the entries after it are still to be turned into deliveries.</summary>
    public long Position { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public enum WebhookDeliveryState
{
    Pending,
    Succeeded,
    Failed,
}

/// <summary>
/// One message to one subscription: a change-log entry, or a ping. Its <see cref="MessageId"/> and body stay the same
/// on every attempt and redelivery, so a receiver can tell a retry from a new message.
/// </summary>
public class WebhookDelivery
{
    public long Id { get; set; }
    public Guid SubscriptionId { get; set; }
    public string MessageId { get; set; } = "";
    public string Type { get; set; } = "";
    /// <summary>The change-log entry it tells of; null for a ping.</summary>
    public long? Position { get; set; }
    public ContentKind? ContentKind { get; set; }
    public Guid? ContentId { get; set; }
    public ChangeKind? Change { get; set; }
    public int? Version { get; set; }
    public DateTimeOffset? ChangedAt { get; set; }
    /// <summary>The body, made at the first attempt and sent unchanged after.</summary>
    public string? Payload { get; set; }
    public WebhookDeliveryState State { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>Retries go on until this plus <c>Webhooks:RetryFor</c>; a manual redelivery starts a new period.</summary>
    public DateTimeOffset RetryFrom { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    /// <summary>While an instance is sending it; another instance takes it over only after this.</summary>
    public DateTimeOffset? LeaseUntil { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}

/// <summary>One attempt to deliver: the delivery log admins read.</summary>
public class WebhookAttempt
{
    public const int ExcerptMaxLength = 500;

    public long Id { get; set; }
    public long DeliveryId { get; set; }
    public Guid SubscriptionId { get; set; }
    public int Number { get; set; }
    public DateTimeOffset At { get; set; }
    /// <summary>The receiver's HTTP status; null when there was no answer (refused, timed out, connection failed).</summary>
    public int? Status { get; set; }
    public bool Succeeded { get; set; }
    public int LatencyMs { get; set; }
    /// <summary>The start of the receiver's answer, or what went wrong when there was none.</summary>
    public string? Excerpt { get; set; }
}

/// <summary>
/// The event types: <c>{kind}.{change}</c> for each kind of content and change (<c>article.upserted</c>,
/// <c>contact.removed</c>…), and <c>webhook.ping</c>, which every subscription gets when an admin asks for it. A
/// subscription lists types, <c>{kind}.*</c> or <c>*</c>.
/// </summary>
public static class WebhookEvents
{
    public const string Ping = "webhook.ping";
    public const string All = "*";
    public const int MaxEvents = 20;

    public static string TypeOf(ContentKind kind, ChangeKind change) => $"{Name(kind)}.{change.ToString().ToLowerInvariant()}";

    public static string Name(ContentKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>Every type and wildcard a subscription may list.</summary>
    public static IReadOnlyList<string> Known { get; } =
    [
        All,
        .. Enum.GetValues<ContentKind>().SelectMany(kind => new[] { $"{Name(kind)}.*" }
            .Concat(Enum.GetValues<ChangeKind>().Select(change => TypeOf(kind, change)))),
    ];

    public static bool Matches(IEnumerable<string> events, string type) =>
        events.Any(e => e == All || e == type || (e.EndsWith(".*", StringComparison.Ordinal) && type.StartsWith(e[..^1], StringComparison.Ordinal)));
}
