using System.Text.Json;
using ContentApi.Api.Auth;
using ContentApi.Api.Editorial;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Api.Photos;

/// <summary>
/// A photo's text alternatives (alt text, or decorative), caption and credit, and the focal point crops centre on
/// (fractions 0–1 of width and height; the middle when left out).
/// </summary>
public record PhotoMetadataInput(string? AltText, bool Decorative, string? Caption, string? Credit, double? FocalX = null, double? FocalY = null);

public static class PhotoWriteEndpoints
{
    public static void MapPhotoWrites(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/photos").WithTags("Photos: editing").RequireAuthorization(AuthSetup.Editor)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapPut("/{id:guid}", (ContentDbContext db, HttpContext context, Guid id, PhotoMetadataInput input, CancellationToken ct) =>
                Save(db, context, id, _ => (input, null), "updated", ct))
            .WithName("replacePhoto")
            .WithSummary("Replace a photo's alt text, caption, credit and focal point.").Produces<PhotoDto>().ProducesValidationProblem().ProducesConcurrencyProblems();
        group.MapPatch("/{id:guid}", Patch).Accepts<PhotoMetadataInput>(MergePatch.MediaType)
            .WithName("patchPhoto")
            .WithSummary("Change some of a photo's metadata (JSON Merge Patch).").Produces<PhotoDto>().ProducesValidationProblem().ProducesConcurrencyProblems();
        group.MapDelete("/{id:guid}", Delete)
            .WithName("deletePhoto")
            .WithSummary("Delete a photo no content uses (409 names the content that still does).")
            .Produces(StatusCodes.Status204NoContent).ProducesConcurrencyProblems().ProducesProblem(StatusCodes.Status409Conflict);

        app.MapRevisions("/api/photos", ContentKind.Photo, "Photos: editing", async (db, context, id, snapshot, action, ct) =>
            await Save(db, context, id, _ => (snapshot.Deserialize<PhotoMetadataInput>(RevisionLog.Json), null), action, ct));
    }

    public static PhotoMetadataInput Snapshot(Photo p) => new(p.AltText, p.Decorative, p.Caption, p.Credit, p.FocalX, p.FocalY);

    private static async Task<IResult> Patch(ContentDbContext db, HttpContext context, Guid id, CancellationToken ct)
    {
        var (patch, error) = await MergePatch.ReadAsync(context.Request, ct);
        if (patch is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request", detail: error);
        return await Save(db, context, id, photo => MergePatch.Merge(Snapshot(photo), patch), "updated", ct);
    }

    private static async Task<IResult> Save(ContentDbContext db, HttpContext context, Guid id, Func<Photo, (PhotoMetadataInput? Input, string? Error)> input, string action, CancellationToken ct)
    {
        var photo = await db.Photos.IgnoreQueryFilters().FirstOrDefaultAsync(p => p.Id == id, ct);
        if (photo is null)
            return Editing.NotFound("Photo", id);
        var (values, error) = input(photo);
        if (values is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request", detail: error);
        var clock = context.RequestServices.GetRequiredService<TimeProvider>();
        var problem = await Editing.SaveAsync(db, context, photo, ContentKind.Photo, action, Snapshot, p =>
        {
            p.AltText = values.AltText?.Trim() ?? "";
            p.Decorative = values.Decorative;
            p.Caption = values.Caption;
            p.Credit = values.Credit;
            p.FocalX = values.FocalX ?? 0.5;
            p.FocalY = values.FocalY ?? 0.5;
            p.UpdatedAt = clock.GetUtcNow();
            return Task.FromResult(p.ValidateMetadata());
        }, ct);
        if (problem is not null)
            return problem;
        Concurrency.SetETag(context, photo.Version);
        return TypedResults.Ok(PhotoDto.From(photo));
    }

    private static async Task<IResult> Delete(ContentDbContext db, HttpContext context, Guid id, CancellationToken ct)
    {
        var photo = await db.Photos.IgnoreQueryFilters().FirstOrDefaultAsync(p => p.Id == id, ct);
        if (photo is null)
            return Editing.NotFound("Photo", id);
        var articles = await db.Articles.IgnoreQueryFilters().Where(a => a.PhotoIds.Contains(id)).Select(a => "article " + a.Slug).ToListAsync(ct);
        var pledges = await db.Pledges.IgnoreQueryFilters().Where(p => p.PhotoId == id).Select(p => "pledge " + p.Year).ToListAsync(ct);
        if (articles.Count + pledges.Count > 0)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Photo in use",
                detail: $"The photo is used by {string.Join(", ", articles.Concat(pledges))}. Remove it there first.");
        return await Editing.DeleteAsync(db, context, photo, ContentKind.Photo, Snapshot, ct) ?? TypedResults.NoContent();
    }
}
