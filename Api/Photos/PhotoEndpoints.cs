using ContentApi.Api.Auth;
using ContentApi.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;

namespace ContentApi.Api.Photos;

public static class PhotoEndpoints
{
    public static string FileUrl(Guid id) => $"/api/photos/{id}/file";

    public static void MapPhotos(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/photos").WithTags("Photos");

        group.MapGet("/{id:guid}", GetPhoto)
            .WithName("getPhoto")
            .WithSummary("A photo's metadata: alt text, caption, credit, size.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id:guid}/file", GetPhotoFile)
            .WithName("getPhotoFile")
            .WithSummary("The photo's original file, with its media type.")
            .Produces(StatusCodes.Status200OK, typeof(byte[]), "image/jpeg", "image/png", "image/webp")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Results<Ok<PhotoDto>, ProblemHttpResult>> GetPhoto(ContentDbContext db, HttpContext context, Guid id, CancellationToken ct)
    {
        if (context.User.CanPreview())
        {
            context.Response.Headers.CacheControl = "private, no-store";
            var any = await db.Photos.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(p => p.Id == id, ct);
            if (any is not null)
            {
                Editorial.Concurrency.SetETag(context, any.Version);
                return TypedResults.Ok(PhotoDto.From(any));
            }
        }
        var photo = await db.Photos.AsNoTracking().Where(p => p.Id == id).Select(PhotoDto.Projection).FirstOrDefaultAsync(ct);
        return photo is null ? NotFound(id) : TypedResults.Ok(photo);
    }

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> GetPhotoFile(
        ContentDbContext db, HttpContext context, PhotoStorage storage, Guid id, CancellationToken ct)
    {
        var photos = context.User.CanPreview() ? db.Photos.IgnoreQueryFilters() : db.Photos;
        if (context.User.CanPreview())
            context.Response.Headers.CacheControl = "private, no-store";
        var photo = await photos.AsNoTracking().Where(p => p.Id == id)
            .Select(p => new { p.StoragePath, p.MediaType, p.UpdatedAt }).FirstOrDefaultAsync(ct);
        if (photo is null)
            return NotFound(id);
        var stream = storage.OpenRead(photo.StoragePath);
        if (stream is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Photo file missing",
                detail: $"The file of photo {id} is not in storage.");
        var etag = new EntityTagHeaderValue($"\"{Path.GetFileNameWithoutExtension(photo.StoragePath)}\"");
        return TypedResults.Stream(stream, photo.MediaType, lastModified: photo.UpdatedAt, entityTag: etag);
    }

    private static ProblemHttpResult NotFound(Guid id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Photo not found", detail: $"There is no published photo with id {id}.");
}
