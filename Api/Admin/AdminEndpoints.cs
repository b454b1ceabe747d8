using System.Text.Json.Nodes;
using ContentApi.Api.Auth;
using ContentApi.Api.Editorial;
using ContentApi.Api.Hosting;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Api.Admin;

public record ApiKeyInput(string Name, string Role);

/// <summary>An API key as admins see it; the secret appears only in the answer that creates the key.</summary>
public record ApiKeyDto(Guid Id, string Name, string Role, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt, string? Key = null);

/// <summary>One line of the audit log; <c>count</c> is how many times it happened (refused requests are counted, one line per kind a minute).</summary>
public record AuditEntryDto(long Id, DateTimeOffset At, string Actor, string Action, string? TargetType, Guid? TargetId, string? Address, int Status, string? Details, int Count);

/// <summary>What a sweep did: how many stored files no photo used were deleted.</summary>
public record PhotoSweepResult(int Deleted);

public static class AdminEndpoints
{
    public static void MapAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(ContentRoutes.Admin).WithTags("Administration").RequireAuthorization(AuthSetup.Admin)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapGet("/api-keys", async (ContentDbContext db, CancellationToken ct) => TypedResults.Ok(await db.ApiKeys.AsNoTracking()
                .OrderBy(k => k.CreatedAt).Select(k => new ApiKeyDto(k.Id, k.Name, k.Role, k.Prefix, k.CreatedAt, k.LastUsedAt, k.RevokedAt, null))
                .ToListAsync(ct)))
            .WithName("listApiKeys")
            .WithSummary("Every API key: name, role, when made and last used, whether revoked.")
            .WithDescription("Oldest first. The keys themselves are not kept, so they are not in this list: only their first characters (`prefix`).");

        group.MapPost("/api-keys", async Task<Results<Created<ApiKeyDto>, ValidationProblem>> (
                ContentDbContext db, HttpContext context, TimeProvider clock, ApiKeyInput input, CancellationToken ct) =>
            {
                var errors = ApiKeys.Validate(input.Name, input.Role);
                if (!errors.IsEmpty)
                    return TypedResults.ValidationProblem(errors.ToDictionary(), detail: errors.ToString());
                var (key, secret) = ApiKeys.Create(input.Name.Trim(), input.Role, clock.GetUtcNow());
                db.ApiKeys.Add(key);
                Audit.Add(db, context, "apikey.created", null, key.Id, $"{key.Name} ({key.Role})");
                await db.SaveChangesAsync(ct);
                context.Response.Headers.CacheControl = "no-store";
                return TypedResults.Created($"/api/admin/api-keys/{key.Id}",
                    new ApiKeyDto(key.Id, key.Name, key.Role, key.Prefix, key.CreatedAt, null, null, secret));
            })
            .WithName("createApiKey")
            .WithSummary("Make an API key. The answer holds the key itself, shown this once; only its hash is kept.")
            .WithDescription("`role` is `editor`, `publisher` or `admin`. Send the key in the `X-Api-Key` header.");

        group.MapDelete("/api-keys/{id:guid}", async Task<Results<NoContent, ProblemHttpResult>> (
                ContentDbContext db, HttpContext context, TimeProvider clock, Guid id, CancellationToken ct) =>
            {
                var revoked = await db.ApiKeys.Where(k => k.Id == id && k.RevokedAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(k => k.RevokedAt, clock.GetUtcNow()), ct);
                if (revoked == 0)
                    return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"There is no active API key {id}.");
                Audit.Add(db, context, "apikey.revoked", null, id);
                await db.SaveChangesAsync(ct);
                return TypedResults.NoContent();
            })
            .WithName("revokeApiKey")
            .WithSummary("Revoke an API key; it stops working at once.")
            .WithDescription("The key stays in the list with its `revokedAt`; a request that uses it is a 401. An unknown or already revoked key is a 404.");

        group.MapGet("/audit", AuditLog.ListAsync)
            .AllowQuery("cursor", "pageSize")
            .WithName("listAuditEntries")
            .WithSummary("The audit log, newest first: every write, and refused requests (401, 403) counted per kind and minute.")
            .WithDescription("`pageSize` is 1–100 (default 20); `nextPage` (a `cursor`) continues after the last entry of the page, and is null on the last page. "
                + "Refused requests are written in batches, about a minute after they happen, one entry per address, caller, reason and key prefix "
                + "with the number of times in `count`. Entries older than the retention (a year by default) are deleted.");

        group.MapPost("/photos/sweep", async (Photos.PhotoSweeper sweeper, TimeProvider clock, CancellationToken ct) =>
                TypedResults.Ok(new PhotoSweepResult(await sweeper.SweepAsync(clock.GetUtcNow() - Photos.PhotoSweeper.MinimumAge, ct))))
            .WithName("sweepPhotoFiles")
            .WithSummary("Delete stored files no photo uses (older than an hour) now, instead of at the next regular sweep.")
            .WithDescription("The sweep also runs by itself every 6 hours. Files younger than an hour are kept: an upload may be about to use them.");

        group.MapPost("/contacts/{id:guid}/erase", Erase)
            .WithName("eraseContact")
            .WithSummary("Erase a person's data (GDPR): the contact disappears from all content and all revisions; the audit log keeps only that it happened.")
            .WithDescription("Unlike a delete, this also works while content names the contact: it is removed from every article, pledge, "
                + "pending version and revision. It cannot be undone.")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Erase(ContentDbContext db, HttpContext context, TimeProvider clock, Guid id, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Locked until the erasure commits: another erasure of the same person waits, then finds nothing (404)
        // instead of failing halfway through its own (a 500).
        var contact = (await db.Contacts.FromSql($"SELECT * FROM contacts WHERE id = {id} FOR UPDATE").IgnoreQueryFilters()
            .ToListAsync(ct)).SingleOrDefault();
        if (contact is null)
            return Editing.NotFound("Contact", id);
        var now = clock.GetUtcNow();

        // Content: live links, pending article versions and pledges stop naming the person.
        var articles = await db.Articles.IgnoreQueryFilters().Include(a => a.Contacts)
            .Where(a => a.Contacts.Any(c => c.Id == id) || a.PendingChanges != null).ToListAsync(ct);
        foreach (var article in articles)
            article.RemoveContact(id, now);
        foreach (var pledge in await db.Pledges.IgnoreQueryFilters().Where(p => p.ContactId == id || p.PendingChanges != null).ToListAsync(ct))
            pledge.RemoveContact(id, now);

        // Revisions: the contact's own go; others keep their history without the id.
        await db.Revisions.Where(r => r.ContentKind == ContentKind.Contact && r.ContentId == id).ExecuteDeleteAsync(ct);
        var idText = id.ToString();
        var naming = await db.Revisions.FromSql($"SELECT * FROM revisions WHERE snapshot::text LIKE {"%" + idText + "%"}").ToListAsync(ct);
        foreach (var revision in naming)
            revision.Snapshot = Scrub(JsonNode.Parse(revision.Snapshot)!, idText).ToJsonString(RevisionLog.Json);

        db.Contacts.Remove(contact);
        // The log says that an erasure happened, and nothing about whom.
        Audit.Add(db, context, "contact.erased", ContentKind.Contact, id);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>Removes every array element equal to the id and sets every property equal to it to null.</summary>
    private static JsonNode Scrub(JsonNode node, string id)
    {
        switch (node)
        {
            case JsonArray array:
                foreach (var item in array.ToList())
                    if (item is JsonValue value && string.Equals(value.ToString(), id, StringComparison.OrdinalIgnoreCase))
                        array.Remove(item);
                    else if (item is not null)
                        Scrub(item, id);
                break;
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                    if (value is JsonValue v && string.Equals(v.ToString(), id, StringComparison.OrdinalIgnoreCase))
                        obj[name] = null;
                    else if (value is not null)
                        Scrub(value, id);
                break;
        }
        return node;
    }
}
