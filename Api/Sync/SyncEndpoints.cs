using ContentApi.Api.Changes;
using ContentApi.Api.Hosting;
using ContentApi.Api.Reading;
using ContentApi.Domain;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Api.Sync;

/// <summary>
/// The app's sync (README "Keeping a copy in sync"): <c>GET /api/sync</c> pages through everything in public view,
/// <c>GET /api/sync?token=…</c> answers what changed since, as items in their public shape and removals. The change log
/// (<see cref="ChangeLog"/>) says what changed; the delivery face of the one reader (<see cref="ContentReader.Public"/>)
/// what the public sees of it now. Everyone gets the public view, editors too: the sync fills an app's copy, and
/// drafts must never land in one (their answers are still private, never stored). Anonymous answers are stored and
/// evicted like every other anonymous read (<see cref="ContentFamily.Sync"/>, evicted by every change): apps that are
/// up to date all ask with the same token, and a stored answer, even one a change outdated, is never wrong for the
/// copy, only late (its token says where it stands, and the next delta brings the rest). The later pages of an
/// initial sync are <c>no-store</c>: no two apps share them.
/// </summary>
public static class SyncEndpoints
{
    /// <summary>The order a sync sends kinds in.</summary>
    public static readonly ContentKind[] Kinds = [ContentKind.Article, ContentKind.Pledge, ContentKind.Photo, ContentKind.Contact];

    /// <summary>Log entries one delta reads at most before it answers a token for what it sent (the rest follows).</summary>
    public const int EntriesPerBatch = 1_000;

    public static void MapSync(this IEndpointRouteBuilder app)
    {
        app.MapGet(ContentRoutes.Sync, GetSync)
            .WithTags("Sync")
            .WithName("sync")
            .WithSummary("The app's offline copy: everything in public view, then what changed since (items and removals), page by page.")
            .WithDescription("Without `token`: the first page of everything published (articles, pledges, and the photos and contacts they show). "
                + "With the `nextSyncToken` of the page before: the next page. While `hasMore` is true, ask again at once; when it is false, keep "
                + "`nextSyncToken` and ask with it later for what changed since. A token older than the change log's retention answers "
                + "410 Gone: start over without a token. Everyone, editors too, gets the public view.")
            .AllowQuery("token", "pageSize")
            .ProducesProblem(StatusCodes.Status410Gone);
    }

    /// <param name="context"></param>
    /// <param name="token">The nextSyncToken of the page before (opaque: send it back as it is); none starts an initial sync.</param>
    /// <param name="pageSize">Items and removals per page, 1 to 100 (default 100).</param>
    /// <param name="ct"></param>
    private static async Task<Results<Ok<SyncPage>, ValidationProblem, ProblemHttpResult>> GetSync(
        HttpContext context, string? token, int pageSize = Paging.MaxPageSize, CancellationToken ct = default)
    {
        if (pageSize is < 1 or > Paging.MaxPageSize)
            return Invalid("pageSize", $"pageSize must be between 1 and {Paging.MaxPageSize} (got {pageSize}).");
        SyncToken? given = null;
        if (token is not null && (given = SyncToken.Decode(token)) is null)
            return Invalid("token", "token is not one this API wrote: send back the nextSyncToken of the page before as it is, or start over without token.");

        var reader = ContentReader.Public(context);
        // Read before anything else: an initial sync's copy is complete up to here, whatever changes while it pages.
        var state = await ChangeLog.StateAsync(reader.Db, ct);
        var at = given ?? new SyncToken(state.LastPosition, state.LastPosition, true, Kinds[0], null);
        if (at.Through > state.LastPosition)
            return Invalid("token", "token is ahead of this API's change log (from another installation, or a database restored from backup): start over without token.");
        if (at.Since < state.PrunedThrough)
            return Expired();

        // The pages after an initial sync's first are each one app's (the token holds where its sync began) and large:
        // kept, they would only push shared answers out of the store.
        if (given is { Initial: true })
            context.Response.Headers.CacheControl = "no-store";
        var page = await new SyncPageReader(reader, pageSize).ReadAsync(at, state, ct);
        // Entries pruned while the page was read would be missing from it without a word: asked again, the mark says so.
        if (!at.Initial && at.Since < (await ChangeLog.StateAsync(reader.Db, ct)).PrunedThrough)
            return Expired();
        return TypedResults.Ok(page);
    }

    private static ProblemHttpResult Expired() =>
        TypedResults.Problem(statusCode: StatusCodes.Status410Gone, title: "Sync token expired",
            detail: "The changes since this token are older than the change log keeps (ChangeLog:RetentionDays). Start over with GET /api/sync "
                + "(without token) and replace the copy with what it sends.");

    private static ValidationProblem Invalid(string field, string error) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [error] }, detail: error);

    /// <summary>What changed after a position, at most <see cref="EntriesPerBatch"/> entries: each item with when it last changed.</summary>
    internal static async Task<(Dictionary<ContentKind, Dictionary<Guid, DateTimeOffset>> Changed, long Through)> ChangesAsync(
        ContentReader reader, long since, long? through, CancellationToken ct)
    {
        var entries = ChangeLog.After(reader.Db, since);
        if (through is { } last)
            entries = entries.Where(e => e.Position <= last);
        var read = await entries.Take(EntriesPerBatch)
            .Select(e => new { e.Position, e.Kind, e.ContentId, e.ChangedAt }).ToListAsync(ct);
        var changed = Kinds.ToDictionary(k => k, _ => new Dictionary<Guid, DateTimeOffset>());
        foreach (var entry in read)
            changed[entry.Kind][entry.ContentId] = entry.ChangedAt;
        return (changed, read.Count == 0 ? since : read[^1].Position);
    }
}
