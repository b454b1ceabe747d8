using ContentApi.Api.Auth;
using ContentApi.Api.Caching;
using ContentApi.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace ContentApi.Api.Photos;

public static class PhotoEndpoints
{
    /// <summary>The address of a photo's original file (<see cref="GetPhotoFile"/>).</summary>
    public static string FileUrl(Guid id) => $"/api/photos/{id}/file";

    public static void MapPhotos(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/photos").WithTags("Photos");

        group.MapGet("/{id:guid}", GetPhoto)
            .WithSummary("A photo's metadata: alt text, caption, credit, size.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id:guid}/file", GetPhotoFile)
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
        ContentDbContext db, HttpContext context, PhotoStorage storage, IOptions<HttpCachingOptions> caching, Guid id, CancellationToken ct)
    {
        var preview = context.User.CanPreview();
        var photos = preview ? db.Photos.IgnoreQueryFilters() : db.Photos;
        // An editor may be looking at a photo only drafts use: never let a shared cache keep that, nor its absence.
        if (preview)
            context.Response.Headers.CacheControl = "private, no-store";
        var photo = await photos.AsNoTracking().Where(p => p.Id == id)
            .Select(p => new { p.StoragePath, p.MediaType, p.UpdatedAt }).FirstOrDefaultAsync(ct);
        if (photo is null)
            return NotFound(id);
        var stream = storage.OpenRead(photo.StoragePath);
        if (stream is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Photo file missing",
                detail: $"The file of photo {id} is not in storage.");
        // Like a rendition, the file says itself how it may be cached (the caching middleware leaves files alone). Its
        // address is not versioned (PUT …/file replaces the picture, unpublishing hides it), so unlike a rendition's
        // it is not immutable: it gets the lifetime of published answers.
        if (!preview)
            context.Response.Headers.CacheControl =
                $"public, max-age={caching.Value.MaxAgeSeconds}, stale-while-revalidate={caching.Value.StaleWhileRevalidateSeconds}";
        var etag = new EntityTagHeaderValue($"\"{Path.GetFileNameWithoutExtension(photo.StoragePath)}\"");
        return TypedResults.Stream(stream, photo.MediaType, lastModified: photo.UpdatedAt, entityTag: etag);
    }

    private static ProblemHttpResult NotFound(Guid id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound, title: "Photo not found", detail: $"There is no published photo with id {id}.");
}
