using ContentApi.Api.Auth;
using ContentApi.Api.Editorial;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using ContentApi.Infrastructure.Images;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ContentApi.Api.Photos;

/// <summary>
/// Uploading photos: multipart/form-data with the file and the same metadata fields as PUT. Three steps, each in its
/// own place: the body is read (<see cref="PhotoUploadReader"/>, streamed to a temporary file), the text fields are
/// bound to <see cref="PhotoMetadataInput"/> (<see cref="FormBinding"/>) and the image is cleaned and stored
/// (<see cref="PhotoFiles"/>).
/// </summary>
public static class PhotoUploadEndpoints
{
    public static void MapPhotoUploads(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(ContentRoutes.Photos).WithTags("Photos: editing").RequireAuthorization(AuthSetup.Editor)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        group.MapPost("/", Upload)
            .WithName("uploadPhoto")
            .WithSummary("Upload a photo: multipart/form-data with `file` (JPEG, PNG or WebP) and `altText`, `decorative`, `caption`, `credit`, `focalX`, `focalY`.")
            .Accepts<PhotoUploadForm>("multipart/form-data");
        group.MapPut("/{id:guid}/file", ReplaceFile)
            .WithName("replacePhotoFile")
            .WithSummary("Replace a photo's file; its id and metadata stay (If-Match required). Multipart with `file`.")
            .Accepts<PhotoUploadForm>("multipart/form-data")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesConcurrencyProblems();
    }

    private static async Task<Results<Created<PhotoDto>, ValidationProblem, ProblemHttpResult>> Upload(HttpContext context,
        ContentDbContext db, PhotoStorage storage, IOptions<ImageOptions> options, IOptions<JsonOptions> json, TimeProvider clock, CancellationToken ct)
    {
        var (upload, unread) = await PhotoUploadReader.ReadAsync(context, storage, options.Value.MaxUploadBytes, ct);
        if (upload is null)
            return unread!;
        using (upload)
        {
            var now = clock.GetUtcNow();
            var photo = new Photo { Id = Guid.NewGuid(), CreatedAt = now };
            var input = FormBinding.Bind<PhotoMetadataInput>(upload.Fields, json.Value.SerializerOptions, out var errors);
            if (input is not null)
                errors = input.ApplyTo(photo, now, upload.FileName);
            if (!errors.IsEmpty)
                return TypedResults.ValidationProblem(errors.ToDictionary(), detail: errors.ToString());
            var (file, refused) = await StoreAsync(storage, upload, options.Value, ct);
            if (file is null)
                return refused!;
            photo.UseFile(file, now);
            // A file no photo ends up using (the save failed) is left to the sweep: deleting it here would take it from
            // another upload of the same bytes, on any instance, whose row is not committed yet.
            if (await Editing.CreateAsync(db, context, photo, ContentKind.Photo, PhotoMetadataInput.From, errors, ct) is { } problem)
                return EditingAnswers.Refusal<Created<PhotoDto>>(problem);
            Concurrency.SetETag(context, photo.Version);
            return TypedResults.Created($"/api/photos/{photo.Id}", PhotoDto.From(photo));
        }
    }

    private static async Task<Results<Ok<PhotoDto>, ProblemHttpResult>> ReplaceFile(HttpContext context,
        ContentDbContext db, PhotoStorage storage, IOptions<ImageOptions> options, TimeProvider clock, Guid id, CancellationToken ct)
    {
        var photo = await db.Photos.IgnoreQueryFilters().FirstOrDefaultAsync(p => p.Id == id, ct);
        if (photo is null)
            return EditingAnswers.NotFound(id);
        // Before the body is read: a stale or missing If-Match costs no upload.
        if (Concurrency.CheckIfMatch(context, photo.Version) is { } precondition)
            return precondition;
        var (upload, unread) = await PhotoUploadReader.ReadAsync(context, storage, options.Value.MaxUploadBytes, ct);
        if (upload is null)
            return unread!;
        using (upload)
        {
            var (file, refused) = await StoreAsync(storage, upload, options.Value, ct);
            if (file is null)
                return refused!;
            // A file no photo ends up using (the save lost a race) is left to the sweep.
            var problem = await Editing.SaveAsync(db, context, photo, ContentKind.Photo, "file replaced", PhotoFileRevision.From, p =>
            {
                p.UseFile(file, clock.GetUtcNow());
                return Task.FromResult(new ValidationErrors());
            }, ct);
            if (problem is not null)
                return EditingAnswers.Problem(problem);
            Concurrency.SetETag(context, photo.Version);
            return TypedResults.Ok(PhotoDto.From(photo));
        }
    }

    /// <summary>Cleans and stores the uploaded image; the problem (415, 422) when it is refused.</summary>
    private static async Task<(PhotoFile? File, ProblemHttpResult? Refused)> StoreAsync(PhotoStorage storage, PhotoUpload upload,
        ImageOptions options, CancellationToken ct)
    {
        try
        {
            return (await PhotoFiles.StoreAsync(storage, upload.FilePath, options.MaxPixels, ct), null);
        }
        catch (UnsupportedImageException e)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Not a supported image", detail: e.Message));
        }
        catch (ImageRejectedException e)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Image refused", detail: e.Message));
        }
    }
}

/// <summary>
/// A photo's state in a revision of a file replacement: its metadata (what a restore brings back) and which file it had.
/// </summary>
public record PhotoFileRevision(string? AltText, bool Decorative, string? Caption, string? Credit, double? FocalX, double? FocalY,
    string Sha256, string MediaType, int Width, int Height, long ByteSize)
    : PhotoMetadataInput(AltText, Decorative, Caption, Credit, FocalX, FocalY)
{
    public static new PhotoFileRevision From(Photo p) =>
        new(p.AltText, p.Decorative, p.Caption, p.Credit, p.FocalX, p.FocalY, p.Sha256, p.MediaType, p.Width, p.Height, p.ByteSize);
}

/// <summary>The parts of a photo upload, for the OpenAPI document.</summary>
public class PhotoUploadForm
{
    /// <summary>The image: JPEG, PNG or WebP.</summary>
    public IFormFile? File { get; set; }
    /// <summary>What the picture shows (required unless decorative).</summary>
    public string? AltText { get; set; }
    public bool? Decorative { get; set; }
    public string? Caption { get; set; }
    /// <summary>E.g. "Foto: Sölvesborgs kommun".</summary>
    public string? Credit { get; set; }
    /// <summary>Where crops centre, 0–1 from the left.</summary>
    public double? FocalX { get; set; }
    /// <summary>Where crops centre, 0–1 from the top.</summary>
    public double? FocalY { get; set; }
}
