using ContentApi.Api.Reading;
using System.Collections.Concurrent;
using System.Globalization;
using ContentApi.Api.Auth;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using ContentApi.Infrastructure.Images;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;

namespace ContentApi.Api.Photos;

/// <summary>
/// Resized (and optionally cropped) copies of a photo, made on first request, stored, and cached by everyone for a
/// year: the address holds a version that changes when the file or focal point does.
/// </summary>
public static class RenditionEndpoints
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Generating = new();
    private static long _generated;

    /// <summary>How many renditions this process has made (for tests and metrics).</summary>
    public static long GeneratedCount => Interlocked.Read(ref _generated);

    /// <summary>
    /// The public address of a rendition. It belongs to the content, not to one client: every face of the API (REST,
    /// OData) hands out the same addresses, and they stay valid as long as the picture does.
    /// </summary>
    public static string Url(Guid id, string version, int width, string format) => $"/api/photos/{id}/renditions/{version}/{width}.{format}";

    public static void MapRenditions(this IEndpointRouteBuilder app)
    {
        // The photo entity (OData's face) lists its renditions at this route's addresses; Domain knows no routes.
        Photo.RenditionAddress = Url;
        app.MapGet($"{ContentRoutes.Photos}/{{id:guid}}/renditions/{{version}}/{{width:int}}.{{format}}", GetRendition)
            .WithTags("Photos")
            .WithName("getPhotoRendition")
            .WithSummary("A rendition: width from 160, 320, 480, 640, 960, 1280, 1920, 2560 (never wider than the original), format webp or jpg, "
                + "optionally ?ratio=16x9 to crop around the focal point. Take the addresses from the photo's renditions; an outdated version redirects.")
            .Produces(StatusCodes.Status200OK, typeof(byte[]), "image/webp", "image/jpeg")
            .Produces(StatusCodes.Status302Found)
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    /// <param name="db"></param>
    /// <param name="context"></param>
    /// <param name="storage"></param>
    /// <param name="id"></param>
    /// <param name="version"></param>
    /// <param name="width"></param>
    /// <param name="format"></param>
    /// <param name="ratio">Crop to this shape, e.g. 16x9, 1x1, 4x3.</param>
    /// <param name="ct"></param>
    private static async Task<Results<PhysicalFileHttpResult, RedirectHttpResult, ProblemHttpResult>> GetRendition(ContentDbContext db, HttpContext context, PhotoStorage storage,
        Guid id, string version, int width, string format, string? ratio, CancellationToken ct)
    {
        var reader = ContentReader.For(context);
        var photo = await reader.Photos.FirstOrDefaultAsync(p => p.Id == id, ct);
        if (photo is null)
            return Problem(StatusCodes.Status404NotFound, "Photo not found", $"There is no published photo with id {id}.");
        if (format is not ("webp" or "jpg"))
            return Problem(StatusCodes.Status400BadRequest, "Unknown format", $"'{format}' is not a rendition format; use webp or jpg.");
        var widths = Photo.AvailableWidths(photo.Width).ToList();
        if (!widths.Contains(width))
            return Problem(StatusCodes.Status400BadRequest, "Unknown width",
                $"This photo is offered {string.Join(", ", widths)} pixels wide (never wider than its {photo.Width} px original).");
        double? aspect = null;
        if (ratio is not null)
        {
            var parts = ratio.Split('x', ':');
            if (parts.Length != 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out var w) || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var h)
                || w is < 1 or > 100 || h is < 1 or > 100)
                return Problem(StatusCodes.Status400BadRequest, "Bad ratio", $"ratio is width x height in whole numbers up to 100, e.g. 16x9 (got '{ratio}').");
            aspect = w / (double)h;
            ratio = $"{w}x{h}";
        }
        var height = Math.Round(aspect is { } shape ? width / shape : width * (double)photo.Height / photo.Width);
        if (height > ImageProcessor.MaxSide)
            return Problem(StatusCodes.Status400BadRequest, "Rendition too tall",
                $"At {width} px wide this rendition would be {height} px high; the most is {ImageProcessor.MaxSide}. Ask for a wider ratio or a narrower width.");
        if (version != photo.RenditionVersion)
        {
            // The file or focal point changed: this address is outdated, the current one is not.
            context.Response.Headers.CacheControl = "no-cache";
            var current = Url(id, photo.RenditionVersion, width, format) + (ratio is null ? "" : $"?ratio={ratio}");
            return TypedResults.Redirect(current);
        }

        var name = $"{width}{(ratio is null ? "" : "-" + ratio)}.{format}";
        var path = storage.RenditionPath(photo.Sha256, $"{photo.RenditionVersion}-{name}");
        if (!File.Exists(path))
            await GenerateOnceAsync(storage, photo, path, width, aspect, format == "webp", ct);

        // An editor may be looking at a photo only drafts use: never let a shared cache keep that.
        context.Response.Headers.CacheControl = reader.Preview ? "private, max-age=0" : "public, max-age=31536000, immutable";
        return TypedResults.PhysicalFile(path, format == "webp" ? "image/webp" : "image/jpeg",
            lastModified: photo.UpdatedAt, entityTag: new EntityTagHeaderValue($"\"{photo.RenditionVersion}-{name}\""));
    }

    /// <summary>
    /// However many requests ask this instance for a missing rendition at once, it is made once; the others wait for it.
    /// Instances sharing the photo folder do not wait for each other (no file locks, which NFS does not keep reliably):
    /// each may make it, and the first one renamed into place is the one every instance serves.
    /// </summary>
    private static async Task GenerateOnceAsync(PhotoStorage storage, Photo photo, string path, int width, double? aspect, bool webp, CancellationToken ct)
    {
        var gate = Generating.GetOrAdd(path, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            if (File.Exists(path))
                return;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temporary = storage.NewTemporaryPath(webp ? ".webp" : ".jpg");
            try
            {
                await Task.Run(() => ImageProcessor.Render(storage.FullPath(photo.StoragePath), temporary, width, aspect, photo.FocalX, photo.FocalY, webp), ct);
                // Another instance sharing the folder may have made the same rendition meanwhile: the first one stays.
                PhotoStorage.MoveIntoPlace(temporary, path);
                Interlocked.Increment(ref _generated);
            }
            finally
            {
                if (File.Exists(temporary))
                    File.Delete(temporary);
            }
        }
        finally
        {
            gate.Release();
            Generating.TryRemove(new KeyValuePair<string, SemaphoreSlim>(path, gate));
        }
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
