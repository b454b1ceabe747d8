using System.Text.Json;
using ContentApi.Api.Auth;
using ContentApi.Api.Editorial;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Api.Photos;

public static class PhotoWriteEndpoints
{
    public static void MapPhotoWrites(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(ContentRoutes.Photos).WithTags("Photos: editing").RequireAuthorization(AuthSetup.Editor)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapPut("/{id:guid}", (ContentDbContext db, HttpContext context, TimeProvider clock, Guid id, PhotoMetadataInput input, CancellationToken ct) =>
                Save(db, context, clock, id, _ => (input, null), "updated", ct))
            .WithName("replacePhoto")
            .WithSummary("Replace a photo's alt text, caption, credit and focal point.").Produces<PhotoDto>().ProducesValidationProblem().ProducesConcurrencyProblems();
        group.MapPatch("/{id:guid}", Patch).Accepts<PhotoMetadataInput>(MergePatch.MediaType)
            .WithName("patchPhoto")
            .WithSummary("Change some of a photo's metadata (JSON Merge Patch).").Produces<PhotoDto>().ProducesValidationProblem().ProducesConcurrencyProblems();
        group.MapDelete("/{id:guid}", Delete)
            .WithName("deletePhoto")
            .WithSummary("Delete a photo no content uses (409 names the content that still does).")
            .ProducesConcurrencyProblems().ProducesProblem(StatusCodes.Status409Conflict);

        app.MapRevisions(ContentRoutes.Photos, ContentKind.Photo, "Photos: editing", async (db, context, id, snapshot, action, ct) =>
            await Save(db, context, context.RequestServices.GetRequiredService<TimeProvider>(), id,
                _ => (snapshot.Deserialize<PhotoMetadataInput>(RevisionLog.Json), null), action, ct));
    }

    private static async Task<Results<Ok<PhotoDto>, ValidationProblem, ProblemHttpResult>> Patch(ContentDbContext db, HttpContext context,
        TimeProvider clock, Guid id, CancellationToken ct)
    {
        var (patch, error) = await MergePatch.ReadAsync(context.Request, ct);
        if (patch is null)
            return BadRequest(error);
        return await Save(db, context, clock, id, photo => MergePatch.Merge(PhotoMetadataInput.From(photo), patch), "updated", ct);
    }

    private static async Task<Results<Ok<PhotoDto>, ValidationProblem, ProblemHttpResult>> Save(ContentDbContext db, HttpContext context,
        TimeProvider clock, Guid id, Func<Photo, (PhotoMetadataInput? Input, string? Error)> input, string action, CancellationToken ct)
    {
        var photo = await db.Photos.IgnoreQueryFilters().FirstOrDefaultAsync(p => p.Id == id, ct);
        if (photo is null)
            return EditingAnswers.NotFound(id);
        var (values, error) = input(photo);
        if (values is null)
            return BadRequest(error);
        var problem = await Editing.SaveAsync(db, context, photo, ContentKind.Photo, action, PhotoMetadataInput.From,
            p => Task.FromResult(values.ApplyTo(p, clock.GetUtcNow())), ct);
        if (problem is not null)
            return EditingAnswers.Refusal<Ok<PhotoDto>>(problem);
        Concurrency.SetETag(context, photo.Version);
        return TypedResults.Ok(PhotoDto.From(photo));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(ContentDbContext db, HttpContext context, Guid id, CancellationToken ct)
    {
        var photo = await db.Photos.IgnoreQueryFilters().FirstOrDefaultAsync(p => p.Id == id, ct);
        if (photo is null)
            return EditingAnswers.NotFound(id);
        var articles = await db.Articles.IgnoreQueryFilters().Where(a => a.PhotoIds.Contains(id)).Select(a => "article " + a.Slug).ToListAsync(ct);
        var pledges = await db.Pledges.IgnoreQueryFilters().Where(p => p.PhotoId == id).Select(p => "pledge " + p.Year).ToListAsync(ct);
        if (articles.Count + pledges.Count > 0)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Photo in use",
                detail: $"The photo is used by {string.Join(", ", articles.Concat(pledges))}. Remove it there first.");
        var problem = await Editing.DeleteAsync(db, context, photo, ContentKind.Photo, PhotoMetadataInput.From, ct);
        return problem is null ? TypedResults.NoContent() : EditingAnswers.Problem(problem);
    }

    private static ProblemHttpResult BadRequest(string? detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request", detail: detail);
}
