using ContentApi.Api.Admin;
using ContentApi.Api.Auth;
using ContentApi.Api.Editorial;
using ContentApi.Api.Hosting;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ContentApi.Api.Webhooks;

/// <summary>The delivery log of a subscription, a ping, and redelivery.</summary>
public static class WebhookDeliveryLog
{
    /// <summary>Tells every instance's sender to look for work (the dispatcher's LISTEN), when the transaction commits.</summary>
    public static Task NotifyAsync(ContentDbContext db, CancellationToken ct) =>
        db.Database.ExecuteSqlRawAsync($"SELECT pg_notify('{WebhookDispatcher.Channel}', '')", ct);

    public static async Task<Results<Ok<WebhookDeliveryDto>, ProblemHttpResult>> Ping(ContentDbContext db, TimeProvider clock,
        WebhookDispatcher dispatcher, WebhookPayloads payloads, IOptions<WebhookOptions> options, Guid id, CancellationToken ct)
    {
        if (!await db.WebhookSubscriptions.AnyAsync(s => s.Id == id, ct))
            return Editing.NotFound("Webhook", id);
        var now = clock.GetUtcNow();
        var ping = new WebhookDelivery
        {
            SubscriptionId = id, MessageId = NewMessageId(), Type = WebhookEvents.Ping, Payload = payloads.Ping(id, now),
            State = WebhookDeliveryState.Pending, CreatedAt = now, RetryFrom = now, NextAttemptAt = now,
            // Sent by this request: no sender takes it meanwhile.
            LeaseUntil = now + options.Value.Timeout + TimeSpan.FromMinutes(1),
        };
        db.WebhookDeliveries.Add(ping);
        await db.SaveChangesAsync(ct);
        await dispatcher.AttemptAsync(ping.Id, ct);
        return TypedResults.Ok((await DtosAsync(db, db.WebhookDeliveries.Where(d => d.Id == ping.Id), ct)).Single());
    }

    public static string NewMessageId() => "msg_" + Guid.NewGuid().ToString("N");

    /// <param name="db"></param>
    /// <param name="request"></param>
    /// <param name="id"></param>
    /// <param name="cursor">Where nextPage continues; opaque: follow nextPage as it is.</param>
    /// <param name="pageSize">Deliveries per page, 1 to 100 (default 20).</param>
    /// <param name="ct"></param>
    public static async Task<Results<Ok<WebhookDeliveryPage>, ValidationProblem, ProblemHttpResult>> ListAsync(ContentDbContext db,
        HttpRequest request, Guid id, string? cursor, int pageSize = Paging.DefaultPageSize, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string[]>();
        if (pageSize is < 1 or > Paging.MaxPageSize)
            errors["pageSize"] = [$"pageSize must be between 1 and {Paging.MaxPageSize} (got {pageSize})."];
        long? before = null;
        if (cursor is not null && (before = AuditLog.DecodeCursor(cursor)) is null)
            errors["cursor"] = ["cursor is not one this API wrote: follow nextPage as it is, or start again without cursor."];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors, detail: string.Join(" ", errors.Values.SelectMany(e => e)));
        if (!await db.WebhookSubscriptions.AnyAsync(s => s.Id == id, ct))
            return Editing.NotFound("Webhook", id);

        var query = db.WebhookDeliveries.Where(d => d.SubscriptionId == id);
        if (before is { } last)
            query = query.Where(d => d.Id < last);
        var items = await DtosAsync(db, query.OrderByDescending(d => d.Id).Take(pageSize + 1), ct);
        string? next = null;
        if (items.Count > pageSize)
        {
            items.RemoveAt(pageSize);
            var parameters = request.Query.Where(q => !q.Key.Equals("cursor", StringComparison.OrdinalIgnoreCase))
                .ToDictionary(q => q.Key, q => q.Value, StringComparer.OrdinalIgnoreCase);
            parameters["cursor"] = AuditLog.EncodeCursor(items[^1].Id);
            next = request.PathBase + request.Path + QueryString.Create(parameters);
        }
        return TypedResults.Ok(new WebhookDeliveryPage(items, pageSize, next));
    }

    public static async Task<Results<Accepted<WebhookDeliveryDto>, ProblemHttpResult>> Redeliver(ContentDbContext db, HttpContext context,
        TimeProvider clock, WebhookDispatcher dispatcher, long deliveryId, CancellationToken ct)
    {
        var delivery = await db.WebhookDeliveries.SingleOrDefaultAsync(d => d.Id == deliveryId, ct);
        if (delivery is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Delivery not found",
                detail: $"There is no webhook delivery {deliveryId}; the delivery log lists them (finished ones are kept 30 days).");
        var now = clock.GetUtcNow();
        if (delivery.LeaseUntil > now)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Being delivered",
                detail: $"Delivery {deliveryId} is being sent right now; look at the delivery log in a moment.");
        if (delivery.Type != WebhookEvents.Ping && !await db.WebhookSubscriptions.AnyAsync(s => s.Id == delivery.SubscriptionId && s.Enabled, ct))
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Subscription disabled",
                detail: "The subscription is disabled: enable it first (PUT with enabled true), which also retries what is pending.");
        delivery.State = WebhookDeliveryState.Pending;
        delivery.RetryFrom = now;
        delivery.NextAttemptAt = now;
        delivery.CompletedAt = null;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        Audit.Add(db, context, "webhook.redelivered", null, delivery.SubscriptionId, $"delivery {deliveryId} ({delivery.MessageId})");
        await db.SaveChangesAsync(ct);
        await NotifyAsync(db, ct);
        await transaction.CommitAsync(ct);
        dispatcher.Wake();
        return TypedResults.Accepted($"{WebhookEndpoints.Route}/{delivery.SubscriptionId}/deliveries",
            (await DtosAsync(db, db.WebhookDeliveries.Where(d => d.Id == deliveryId), ct)).Single());
    }

    private static async Task<List<WebhookDeliveryDto>> DtosAsync(ContentDbContext db, IQueryable<WebhookDelivery> deliveries, CancellationToken ct)
    {
        var found = await deliveries.AsNoTracking().ToListAsync(ct);
        var ids = found.Select(d => d.Id).ToList();
        var attempts = (await db.WebhookAttempts.AsNoTracking().Where(a => ids.Contains(a.DeliveryId)).OrderBy(a => a.Id).ToListAsync(ct))
            .ToLookup(a => a.DeliveryId);
        return found.Select(d => new WebhookDeliveryDto(d.Id, d.MessageId, d.Type, d.ContentKind?.ToString(), d.ContentId, d.Version,
                d.State.ToString(), d.CreatedAt, d.State == WebhookDeliveryState.Pending ? d.NextAttemptAt : null,
                attempts[d.Id].Select(a => new WebhookAttemptDto(a.Number, a.At, a.Status, a.Succeeded, a.LatencyMs, a.Excerpt)).ToList()))
            .ToList();
    }
}
