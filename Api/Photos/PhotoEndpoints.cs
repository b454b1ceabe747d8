using ContentApi.Api.Reading;
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
        var group = app.MapGroup(ContentRoutes.Photos).WithTags("Photos");

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

    private static async Task<Results<Ok<PhotoDto>, ProblemHttpResult>> GetPhoto(ContentReader reader, HttpContext context, Guid id, CancellationToken ct)
    {
        var photo = await reader.Photos.FirstOrDefaultAsync(p => p.Id == id, ct);
        if (photo is null)
            return NotFound(id);
        // Editors get the version to send back in If-Match.
        if (reader.Preview)
            Editorial.Concurrency.SetETag(context, photo.Version);
        return TypedResults.Ok(PhotoDto.From(photo));
    }

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> GetPhotoFile(
        ContentReader reader, HttpContext context, PhotoStorage storage, IOptions<HttpCachingOptions> caching, Guid id, CancellationToken ct)
    {
        var preview = reader.Preview;
        // An editor may be looking at a photo only drafts use: never let a shared cache keep that, nor its absence.
        if (preview)
            context.Response.Headers.CacheControl = "private, no-store";
        var photo = await reader.Photos.Where(p => p.Id == id)
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
