using ContentApi.Infrastructure;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace ContentApi.Api.Photos;

/// <summary>
/// What a multipart photo upload held: the part named <c>file</c>, streamed to a temporary file in photo storage, and
/// the text fields. Disposing it deletes the temporary file.
/// </summary>
public sealed class PhotoUpload(string filePath, string? fileName, IReadOnlyDictionary<string, string> fields) : IDisposable
{
    public string FilePath { get; } = filePath;
    /// <summary>The name the client gave the file (alt text may not be it).</summary>
    public string? FileName { get; } = fileName;
    /// <summary>The text parts by name (case-insensitive).</summary>
    public IReadOnlyDictionary<string, string> Fields { get; } = fields;

    public void Dispose() => File.Delete(FilePath);
}

/// <summary>
/// Reads a multipart/form-data photo upload section by section: the file goes to disk as it arrives, never whole into
/// memory, and an upload over the limit is refused before (declared length) or while (chunked) it is read.
/// </summary>
public static class PhotoUploadReader
{
    // Room for the text fields and multipart framing on top of the file itself.
    private const long FormOverhead = 64 * 1024;
    private const int FieldMaxLength = 4_000;
    private const int BufferSize = 64 * 1024;

    public static async Task<(PhotoUpload? Upload, ProblemHttpResult? Problem)> ReadAsync(HttpContext context, PhotoStorage storage,
        long maxFileBytes, CancellationToken ct)
    {
        var tooLarge = Problem(StatusCodes.Status413PayloadTooLarge, "Too large",
            $"The upload is larger than the limit of {maxFileBytes / (1024.0 * 1024):0.#} MB.");
        // Refuse at once when the declared size is too large: no byte of the body is read.
        if (context.Request.ContentLength > maxFileBytes + FormOverhead)
            return (null, tooLarge);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
            bodySize.MaxRequestBodySize = maxFileBytes + FormOverhead;
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 } boundary)
            return (null, Problem(StatusCodes.Status415UnsupportedMediaType, "Multipart expected",
                "Send the photo as multipart/form-data with the image in a part named 'file'."));

        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
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
                    if (!await CopyAtMostAsync(section.Body, temporary, maxFileBytes, ct))
                        return (Discard(temporary), tooLarge);
                }
                else if (!disposition.IsFileDisposition())
                {
                    using var text = new StreamReader(section.Body);
                    var value = await text.ReadToEndAsync(ct);
                    if (value.Length > FieldMaxLength)
                        return (Discard(temporary), Problem(StatusCodes.Status400BadRequest, "Field too long",
                            $"The field '{name}' is longer than {FieldMaxLength} characters."));
                    fields[name] = value;
                }
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (Discard(temporary), tooLarge);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or BadHttpRequestException)
        {
            // A client that breaks off mid-upload, or a body that is not valid multipart: nothing is kept.
            return (Discard(temporary), Problem(StatusCodes.Status400BadRequest, "Broken upload",
                $"The multipart body could not be read to its end: {e.Message}"));
        }
        if (temporary is null)
            return (null, Problem(StatusCodes.Status400BadRequest, "No file", "The form has no part named 'file' with the image."));
        return (new PhotoUpload(temporary, fileName, fields), null);
    }

    /// <summary>Copies the part to <paramref name="path"/>; false (and stops reading) as soon as it passes the limit.</summary>
    private static async Task<bool> CopyAtMostAsync(Stream body, string path, long limit, CancellationToken ct)
    {
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true);
        var buffer = new byte[BufferSize];
        long total = 0;
        int count;
        while ((count = await body.ReadAsync(buffer, ct)) > 0)
        {
            total += count;
            if (total > limit)
                return false;
            await file.WriteAsync(buffer.AsMemory(0, count), ct);
        }
        return true;
    }

    private static PhotoUpload? Discard(string? temporary)
    {
        if (temporary is not null)
            File.Delete(temporary);
        return null;
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
