using System.Globalization;
using ContentApi.Api.Auth;
using ContentApi.Api.Editorial;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using ContentApi.Infrastructure.Images;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace ContentApi.Api.Photos;

/// <summary>
/// Uploading photos: multipart/form-data with the file and its text alternatives. The body is streamed to a temporary
/// file, never held in memory; the image is checked, turned upright, stripped of metadata and stored by its SHA-256.
/// </summary>
public static class PhotoUploadEndpoints
{
    // Room for the text fields and multipart framing on top of the file itself.
    private const long FormOverhead = 64 * 1024;
    private const int FieldMaxLength = 4_000;

    public static void MapPhotoUploads(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/photos").WithTags("Photos: editing").RequireAuthorization(AuthSetup.Editor)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        group.MapPost("/", Upload)
            .WithName("uploadPhoto")
            .WithSummary("Upload a photo: multipart/form-data with `file` (JPEG, PNG or WebP) and `altText`, `decorative`, `caption`, `credit`, `focalX`, `focalY`.")
            .Accepts<PhotoUploadForm>("multipart/form-data")
            .Produces<PhotoDto>(StatusCodes.Status201Created).ProducesValidationProblem();
        group.MapPut("/{id:guid}/file", ReplaceFile)
            .WithName("replacePhotoFile")
            .WithSummary("Replace a photo's file; its id and metadata stay (If-Match required). Multipart with `file`.")
            .Accepts<PhotoUploadForm>("multipart/form-data")
            .Produces<PhotoDto>().ProducesConcurrencyProblems();
    }

    private static async Task<IResult> Upload(HttpContext context, ContentDbContext db, PhotoStorage storage,
        IOptions<ImageOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var read = await ReadAsync(context, storage, options.Value, ct);
        if (read.Problem is not null)
            return read.Problem;
        try
        {
            var now = clock.GetUtcNow();
            var photo = new Photo { Id = Guid.NewGuid(), CreatedAt = now, UpdatedAt = now };
            var errors = ApplyFields(photo, read.Fields, read.FileName);
            if (!errors.IsEmpty)
                return TypedResults.ValidationProblem(errors.ToDictionary(), detail: errors.ToString());
            if (await StoreAsync(photo, read, storage, options.Value, ct) is { } rejected)
                return rejected;
            try
            {
                if (await Editing.CreateAsync(db, context, photo, ContentKind.Photo, PhotoWriteEndpoints.Snapshot, errors, ct) is { } problem)
                    return problem;
            }
            catch
            {
                await ForgetFileAsync(db, storage, photo);
                throw;
            }
            Concurrency.SetETag(context, photo.Version);
            return TypedResults.Created($"/api/photos/{photo.Id}", PhotoDto.From(photo));
        }
        finally
        {
            Delete(read.TemporaryPath);
        }
    }

    private static async Task<IResult> ReplaceFile(HttpContext context, ContentDbContext db, PhotoStorage storage,
        IOptions<ImageOptions> options, TimeProvider clock, Guid id, CancellationToken ct)
    {
        var photo = await db.Photos.IgnoreQueryFilters().FirstOrDefaultAsync(p => p.Id == id, ct);
        if (photo is null)
            return Editing.NotFound("Photo", id);
        if (Concurrency.CheckIfMatch(context, photo.Version) is { } precondition)
            return precondition;
        var read = await ReadAsync(context, storage, options.Value, ct);
        if (read.Problem is not null)
            return read.Problem;
        try
        {
            IResult? rejected = null;
            var problem = await Editing.SaveAsync(db, context, photo, ContentKind.Photo, "file replaced", FileSnapshot, async p =>
            {
                rejected = await StoreAsync(p, read, storage, options.Value, ct);
                p.UpdatedAt = clock.GetUtcNow();
                var errors = new ValidationErrors();
                if (rejected is not null)
                    errors.Add("file", "The file was refused.");
                return errors;
            }, ct);
            if (rejected is not null)
                return rejected;
            if (problem is not null)
                return problem;
            Concurrency.SetETag(context, photo.Version);
            return TypedResults.Ok(PhotoDto.From(photo));
        }
        finally
        {
            Delete(read.TemporaryPath);
        }
    }

    private static object FileSnapshot(Photo p) => new
    {
        Metadata = PhotoWriteEndpoints.Snapshot(p), p.Sha256, p.MediaType, p.Width, p.Height, p.ByteSize,
    };

    /// <summary>Cleans the uploaded image and stores it; sets what the photo records of its file. A problem when refused.</summary>
    private static async Task<IResult?> StoreAsync(Photo photo, UploadedForm read, PhotoStorage storage, ImageOptions options, CancellationToken ct)
    {
        await using (var head = File.OpenRead(read.TemporaryPath!))
        {
            var bytes = new byte[16];
            var count = await head.ReadAtLeastAsync(bytes, bytes.Length, throwOnEndOfStream: false, ct);
            if (ImageProcessor.Sniff(bytes.AsSpan(0, count)) is not { } format)
                return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Not a supported image",
                    detail: "The file is not a JPEG, PNG or WebP image (judged by its contents, not its name or declared type).");
            read = read with { Format = format };
        }
        var output = storage.NewTemporaryPath(ImageProcessor.Extension(read.Format));
        try
        {
            // libvips works on the thread pool: it is CPU-bound and synchronous.
            var image = await Task.Run(() => ImageProcessor.Clean(read.TemporaryPath!, read.Format, options.MaxPixels, output), ct);
            var stored = await storage.SaveFileAsync(output, image.Extension, ct);
            photo.StoragePath = stored.RelativePath;
            photo.Sha256 = stored.Sha256;
            photo.ByteSize = stored.Length;
            photo.MediaType = image.MediaType;
            photo.Width = image.Width;
            photo.Height = image.Height;
            photo.DominantColor = image.DominantColor;
            return null;
        }
        catch (ImageRejectedException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Image refused", detail: e.Message);
        }
        finally
        {
            Delete(output);
        }
    }

    /// <summary>A failed save must not leave a file that no photo uses (unless another photo has the same bytes).</summary>
    private static async Task ForgetFileAsync(ContentDbContext db, PhotoStorage storage, Photo photo)
    {
        db.ChangeTracker.Clear();
        if (photo.Sha256.Length > 0 && !await db.Photos.IgnoreQueryFilters().AnyAsync(p => p.Sha256 == photo.Sha256))
            Delete(storage.FullPath(photo.StoragePath));
    }

    private static ValidationErrors ApplyFields(Photo photo, Dictionary<string, string> fields, string? fileName)
    {
        var errors = new ValidationErrors();
        photo.AltText = fields.GetValueOrDefault("altText")?.Trim() ?? "";
        photo.Caption = NullIfEmpty(fields.GetValueOrDefault("caption"));
        photo.Credit = NullIfEmpty(fields.GetValueOrDefault("credit"));
        if (fields.TryGetValue("decorative", out var decorative))
        {
            if (bool.TryParse(decorative, out var value))
                photo.Decorative = value;
            else
                errors.Add("decorative", "decorative is true or false.");
        }
        foreach (var (name, set) in new (string, Action<double>)[] { ("focalX", v => photo.FocalX = v), ("focalY", v => photo.FocalY = v) })
            if (fields.TryGetValue(name, out var text))
            {
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                    set(value);
                else
                    errors.Add(name, $"{name} is a number from 0 to 1.");
            }
        var metadata = photo.ValidateMetadata(fileName);
        return metadata.IsEmpty ? errors : metadata;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>What the multipart body held: the file (in a temporary file), the text fields, or the problem with it.</summary>
    private record UploadedForm(string? TemporaryPath, string? FileName, Dictionary<string, string> Fields, IResult? Problem)
    {
        public ImageFormat Format { get; init; }
    }

    private static async Task<UploadedForm> ReadAsync(HttpContext context, PhotoStorage storage, ImageOptions options, CancellationToken ct)
    {
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        UploadedForm Refuse(int status, string title, string detail) => new(null, null, fields, TypedResults.Problem(statusCode: status, title: title, detail: detail));
        var limit = options.MaxUploadBytes;
        var tooLarge = $"The upload is larger than the limit of {limit / (1024.0 * 1024):0.#} MB.";

        // Refuse at once when the declared size is too large: no byte of the body is read.
        if (context.Request.ContentLength > limit + FormOverhead)
            return Refuse(StatusCodes.Status413PayloadTooLarge, "Too large", tooLarge);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
            bodySize.MaxRequestBodySize = limit + FormOverhead;
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 } boundary)
            return Refuse(StatusCodes.Status415UnsupportedMediaType, "Multipart expected",
                "Send the photo as multipart/form-data with the image in a part named 'file'.");

        string? temporary = null;
        string? fileName = null;
        try
        {
            var reader = new MultipartReader(boundary, context.Request.Body);
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                    continue;
                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                if (disposition.IsFileDisposition() && name == "file" && temporary is null)
                {
                    fileName = HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
                    temporary = storage.NewTemporaryPath();
                    await using var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
                    var buffer = new byte[64 * 1024];
                    long total = 0;
                    int count;
                    while ((count = await section.Body.ReadAsync(buffer, ct)) > 0)
                    {
                        total += count;
                        if (total > limit)
                        {
                            Delete(temporary);
                            return Refuse(StatusCodes.Status413PayloadTooLarge, "Too large", tooLarge);
                        }
                        await file.WriteAsync(buffer.AsMemory(0, count), ct);
                    }
                }
                else if (!disposition.IsFileDisposition())
                {
                    using var text = new StreamReader(section.Body);
                    var value = await text.ReadToEndAsync(ct);
                    if (value.Length > FieldMaxLength)
                        return Refuse(StatusCodes.Status400BadRequest, "Field too long", $"The field '{name}' is longer than {FieldMaxLength} characters.");
                    fields[name] = value;
                }
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            Delete(temporary);
            return Refuse(StatusCodes.Status413PayloadTooLarge, "Too large", tooLarge);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or BadHttpRequestException)
        {
            // A client that breaks off mid-upload, or a body that is not valid multipart: nothing is kept.
            Delete(temporary);
            return Refuse(StatusCodes.Status400BadRequest, "Broken upload", $"The multipart body could not be read to its end: {e.Message}");
        }
        if (temporary is null)
            return Refuse(StatusCodes.Status400BadRequest, "No file", "The form has no part named 'file' with the image.");
        return new UploadedForm(temporary, fileName, fields, null);
    }

    private static void Delete(string? path)
    {
        if (path is not null && File.Exists(path))
            File.Delete(path);
    }
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
