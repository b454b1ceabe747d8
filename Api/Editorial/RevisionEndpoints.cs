using System.Text.Json;
using System.Text.Json.Nodes;
using ContentApi.Api.Auth;
using ContentApi.Api.Hosting;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Api.Editorial;

/// <summary>One revision in a list: who changed what, when.</summary>
public record RevisionSummaryDto(int Number, DateTimeOffset CreatedAt, string Author, string Action, List<string> ChangedFields);

/// <summary>One revision with the item's state after the change.</summary>
public record RevisionDto(int Number, DateTimeOffset CreatedAt, string Author, string Action, List<string> ChangedFields, JsonElement Snapshot);

public static class RevisionEndpoints
{
    /// <summary>
    /// Maps GET {prefix}/{id}/revisions, GET {prefix}/{id}/revisions/{number} and
    /// POST {prefix}/{id}/revisions/{number}/restore, where <paramref name="restore"/> saves a snapshot as a new change.
    /// The restore answers what <paramref name="restore"/> does: typed results (<typeparamref name="TResult"/>) document
    /// themselves; a plain <see cref="IResult"/> is documented as the content type's DTO.
    /// </summary>
    public static void MapRevisions<TResult>(this IEndpointRouteBuilder app, string prefix, ContentKind kind, string tag,
        Func<ContentDbContext, HttpContext, Guid, JsonNode, string, CancellationToken, Task<TResult>> restore)
        where TResult : IResult
    {
        var group = app.MapGroup($"{prefix}/{{id:guid}}/revisions").WithTags(tag).RequireAuthorization(AuthSetup.Editor)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapGet("/", async Task<Results<Ok<PagedList<RevisionSummaryDto>>, ValidationProblem>> (
                ContentDbContext db, HttpRequest request, Guid id, int page = 1, int pageSize = Paging.DefaultPageSize, CancellationToken ct = default) =>
            {
                if (Paging.Validate(page, pageSize) is { } problem)
                    return problem;
                var query = db.Revisions.AsNoTracking().Where(r => r.ContentKind == kind && r.ContentId == id);
                var total = await query.CountAsync(ct);
                var items = await query.OrderByDescending(r => r.Number).Skip((page - 1) * pageSize).Take(pageSize)
                    .Select(r => new RevisionSummaryDto(r.Number, r.CreatedAt, r.Author, r.Action, r.ChangedFields)).ToListAsync(ct);
                return TypedResults.Ok(new PagedList<RevisionSummaryDto>(items, page, pageSize, total,
                    Paging.NextPageLink(request, page, pageSize, total)));
            })
            .WithName($"list{kind}Revisions")
            .WithSummary("The item's revisions, newest first.")
            .WithDescription("Who changed what, when: each saved change, restore and delete is a revision. Paged with `page` and `pageSize`.");

        group.MapGet("/{number:int}", async Task<Results<Ok<RevisionDto>, ProblemHttpResult>> (
                ContentDbContext db, Guid id, int number, CancellationToken ct) =>
            {
                var revision = await Find(db, kind, id, number, ct);
                return revision is null
                    ? NotFound(id, number)
                    : TypedResults.Ok(new RevisionDto(revision.Number, revision.CreatedAt, revision.Author, revision.Action,
                        revision.ChangedFields, JsonDocument.Parse(revision.Snapshot).RootElement.Clone()));
            })
            .WithName($"get{kind}Revision")
            .WithSummary("One revision, with the item's state after that change.")
            .WithDescription("`snapshot` is the item as it was saved by that change, in the shape the item is written in.")
            .ProducesProblem(StatusCodes.Status404NotFound);

        var restoring = group.MapPost("/{number:int}/restore", async Task<Results<ProblemHttpResult, TResult>> (
                ContentDbContext db, HttpContext context, Guid id, int number, CancellationToken ct) =>
            {
                var revision = await Find(db, kind, id, number, ct);
                if (revision is null || revision.Action == "deleted")
                    return NotFound(id, number);
                return await restore(db, context, id, JsonNode.Parse(revision.Snapshot)!, $"restored revision {number}", ct);
            })
            .WithName($"restore{kind}Revision")
            .WithSummary("Restore a revision: its content is saved again as a new revision (If-Match required).")
            .WithDescription("Answers the item as a change to it does. " + Concurrency.IfMatchDescription)
            .ProducesConcurrencyProblems();
        if (!typeof(Microsoft.AspNetCore.Http.Metadata.IEndpointMetadataProvider).IsAssignableFrom(typeof(TResult)))
            // The restore is the content type's own save, which answers the item as its PUT does.
            restoring.Produces(StatusCodes.Status200OK, ItemType(kind)).ProducesValidationProblem();
    }

    private static Type ItemType(ContentKind kind) => kind switch
    {
        ContentKind.Article => typeof(Articles.ArticleDto),
        ContentKind.Pledge => typeof(Pledges.PledgeDto),
        ContentKind.Photo => typeof(Photos.PhotoDto),
        ContentKind.Contact => typeof(Contacts.ContactDto),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "No revisions are kept of this kind."),
    };

    private static Task<Revision?> Find(ContentDbContext db, ContentKind kind, Guid id, int number, CancellationToken ct) =>
        db.Revisions.AsNoTracking().FirstOrDefaultAsync(r => r.ContentKind == kind && r.ContentId == id && r.Number == number, ct);

    private static ProblemHttpResult NotFound(Guid id, int number) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
        title: "Revision not found", detail: $"Item {id} has no revision {number}.");
}
