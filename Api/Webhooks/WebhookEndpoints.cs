using ContentApi.Api.Admin;
using ContentApi.Api.Auth;
using ContentApi.Api.Changes;
using ContentApi.Api.Editorial;
using ContentApi.Api.Hosting;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Api.Webhooks;

/// <summary>Admins' routes for webhooks: subscriptions, their secrets, a ping, the delivery log and redelivery.</summary>
public static class WebhookEndpoints
{
    public const string Route = ContentRoutes.Admin + "/webhooks";

    public static void MapWebhooks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Route).WithTags("Administration: webhooks").RequireAuthorization(AuthSetup.Admin)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapGet("/", async (ContentDbContext db, CancellationToken ct) =>
                TypedResults.Ok((await db.WebhookSubscriptions.AsNoTracking().OrderBy(s => s.CreatedAt).ToListAsync(ct)).Select(s => s.AsDto()).ToList()))
            .WithName("listWebhooks")
            .WithSummary("Every webhook subscription, oldest first (without secrets).")
            .WithDescription("A subscription the delivery service disabled has `enabled` false and says why in `disabledReason`.");

        group.MapPost("/", Create)
            .WithName("createWebhook")
            .WithSummary("Register a webhook subscription. The answer holds its signing secret, shown this once.")
            .WithDescription("`events` lists what to send: " + string.Join(", ", WebhookEvents.Known.Select(e => $"`{e}`"))
                + ". Changes committed from now on are delivered; the URL must be http or https and reach a public address "
                + "(private, loopback and link-local addresses are refused unless Webhooks:AllowedNetworks allows them).");

        group.MapGet("/{id:guid}", async Task<Results<Ok<WebhookDto>, ProblemHttpResult>> (ContentDbContext db, Guid id, CancellationToken ct) =>
                await db.WebhookSubscriptions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct) is { } found
                    ? TypedResults.Ok(found.AsDto()) : Editing.NotFound("Webhook", id))
            .WithName("getWebhook")
            .WithSummary("One webhook subscription (without its secret).")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPut("/{id:guid}", Update)
            .WithName("updateWebhook")
            .WithSummary("Change a subscription's URL, events, description, or enable or disable it.")
            .WithDescription("Enabling a subscription the delivery service disabled clears its `disabledReason` and retries its pending deliveries now. "
                + "The secret stays; rotate it with POST …/rotate-secret.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapDelete("/{id:guid}", async Task<Results<NoContent, ProblemHttpResult>> (ContentDbContext db, HttpContext context, Guid id, CancellationToken ct) =>
            {
                if (await db.WebhookSubscriptions.Where(s => s.Id == id).ExecuteDeleteAsync(ct) == 0)
                    return Editing.NotFound("Webhook", id);
                Audit.Add(db, context, "webhook.deleted", null, id);
                await db.SaveChangesAsync(ct);
                return TypedResults.NoContent();
            })
            .WithName("deleteWebhook")
            .WithSummary("Delete a subscription with its delivery log; nothing more is sent to it.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/{id:guid}/rotate-secret", async Task<Results<Ok<WebhookSecretDto>, ProblemHttpResult>> (
                ContentDbContext db, HttpContext context, TimeProvider clock, Guid id, CancellationToken ct) =>
            {
                var secret = WebhookSender.NewSecret();
                if (await db.WebhookSubscriptions.Where(s => s.Id == id).ExecuteUpdateAsync(
                        s => s.SetProperty(x => x.Secret, secret).SetProperty(x => x.UpdatedAt, clock.GetUtcNow()), ct) == 0)
                    return Editing.NotFound("Webhook", id);
                Audit.Add(db, context, "webhook.secret-rotated", null, id);
                await db.SaveChangesAsync(ct);
                context.Response.Headers.CacheControl = "no-store";
                return TypedResults.Ok(new WebhookSecretDto(id, secret));
            })
            .WithName("rotateWebhookSecret")
            .WithSummary("Give a subscription a new signing secret, shown this once; the old one stops signing at once.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/{id:guid}/ping", WebhookDeliveryLog.Ping)
            .WithName("pingWebhook")
            .WithSummary("Send a test event (`webhook.ping`) to the subscription now, and answer how it went.")
            .WithDescription("Sent once, signed like every delivery, also to a disabled subscription; it is in the delivery log, and can be "
                + "redelivered. It does not count towards disabling the subscription.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/{id:guid}/deliveries", WebhookDeliveryLog.ListAsync)
            .AllowQuery("cursor", "pageSize")
            .WithName("listWebhookDeliveries")
            .WithSummary("The delivery log of a subscription, newest first: each message with its attempts (time, HTTP status, latency, the start of the answer).")
            .WithDescription("`pageSize` is 1–100 (default 20); `nextPage` continues after the last delivery of the page, null on the last page. "
                + "Finished deliveries are kept 30 days.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/deliveries/{deliveryId:long}/redeliver", WebhookDeliveryLog.Redeliver)
            .WithName("redeliverWebhook")
            .WithSummary("Send a delivery again, with the same `webhook-id` and body, retried as a new one would be.")
            .WithDescription("Answered 202 at once; the attempts appear in the delivery log. A subscription that is disabled must be enabled first (409).")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<Results<Created<WebhookCreatedDto>, ValidationProblem>> Create(ContentDbContext db, HttpContext context,
        TimeProvider clock, Destinations destinations, WebhookInput input, CancellationToken ct)
    {
        var (events, problem) = await ValidateAsync(input, destinations, ct);
        if (problem is not null)
            return problem;
        var now = clock.GetUtcNow();
        var subscription = new WebhookSubscription
        {
            Id = Guid.CreateVersion7(), Url = input.Url.Trim(), Events = events, Description = Trimmed(input.Description),
            Enabled = input.Enabled, Secret = WebhookSender.NewSecret(), CreatedAt = now, UpdatedAt = now,
            // Changes committed from now on.
            Position = (await ChangeLog.StateAsync(db, ct)).LastPosition,
        };
        db.WebhookSubscriptions.Add(subscription);
        Audit.Add(db, context, "webhook.created", null, subscription.Id, $"{subscription.Url} ({string.Join(", ", events)})");
        await db.SaveChangesAsync(ct);
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Created($"{Route}/{subscription.Id}", new WebhookCreatedDto(subscription.Id, subscription.Url, subscription.Events,
            subscription.Description, subscription.Enabled, subscription.CreatedAt, subscription.Secret));
    }

    private static async Task<Results<Ok<WebhookDto>, ValidationProblem, ProblemHttpResult>> Update(ContentDbContext db, HttpContext context,
        TimeProvider clock, Destinations destinations, WebhookDispatcher dispatcher, Guid id, WebhookInput input, CancellationToken ct)
    {
        var subscription = await db.WebhookSubscriptions.SingleOrDefaultAsync(s => s.Id == id, ct);
        if (subscription is null)
            return Editing.NotFound("Webhook", id);
        var (events, problem) = await ValidateAsync(input, destinations, ct);
        if (problem is not null)
            return problem;
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (input.Enabled && !subscription.Enabled)
        {
            subscription.DisabledReason = null;
            subscription.FailingSince = null;
            // What waited while it was disabled is retried from now, with a full retry period.
            await db.WebhookDeliveries.Where(d => d.SubscriptionId == id && d.State == WebhookDeliveryState.Pending)
                .ExecuteUpdateAsync(d => d.SetProperty(x => x.RetryFrom, now).SetProperty(x => x.NextAttemptAt, now), ct);
        }
        subscription.Url = input.Url.Trim();
        subscription.Events = events;
        subscription.Description = Trimmed(input.Description);
        subscription.Enabled = input.Enabled;
        subscription.UpdatedAt = now;
        Audit.Add(db, context, "webhook.updated", null, id, $"{subscription.Url} ({string.Join(", ", events)}){(input.Enabled ? "" : ", disabled")}");
        await db.SaveChangesAsync(ct);
        await WebhookDeliveryLog.NotifyAsync(db, ct);
        await transaction.CommitAsync(ct);
        dispatcher.Wake();
        return TypedResults.Ok(subscription.AsDto());
    }

    private static string? Trimmed(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    /// <summary>The events as stored (lower case, each once), or a problem that says what to fix.</summary>
    private static async Task<(List<string> Events, ValidationProblem? Problem)> ValidateAsync(WebhookInput input, Destinations destinations, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (await destinations.CheckAsync(input.Url?.Trim(), ct) is { } urlError)
            errors["url"] = [urlError];
        var events = (input.Events ?? []).Select(e => e?.Trim().ToLowerInvariant() ?? "").Distinct().ToList();
        var known = string.Join(", ", WebhookEvents.Known);
        if (events.Count == 0)
            errors["events"] = [$"events lists at least one event type, such as article.upserted; the types and wildcards are {known}."];
        else if (events.Count > WebhookEvents.MaxEvents)
            errors["events"] = [$"events lists at most {WebhookEvents.MaxEvents} types."];
        else if (events.Where(e => !WebhookEvents.Known.Contains(e)).ToList() is { Count: > 0 } unknown)
            errors["events"] = [$"Unknown event type{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown.Select(e => $"'{e}'"))}; the types and wildcards are {known}."];
        if (input.Description is { Length: > WebhookSubscription.DescriptionMaxLength })
            errors["description"] = [$"description is at most {WebhookSubscription.DescriptionMaxLength} characters."];
        return errors.Count == 0
            ? (events, null)
            : (events, TypedResults.ValidationProblem(errors, detail: string.Join(" ", errors.Values.SelectMany(e => e))));
    }
}
