using ContentApi.Domain;

namespace ContentApi.Infrastructure.Images;

/// <summary>
/// Turns an uploaded file into a photo's stored picture: judged by its bytes, checked, turned upright, stripped of
/// metadata and stored by its SHA-256.
/// </summary>
public static class PhotoFiles
{
    /// <summary>
    /// Cleans and stores the upload at <paramref name="uploadPath"/> (which stays where it is). Throws
    /// <see cref="UnsupportedImageException"/> for anything but JPEG, PNG or WebP, <see cref="ImageRejectedException"/>
    /// for an image that does not decode or is too large.
    /// </summary>
    public static async Task<PhotoFile> StoreAsync(PhotoStorage storage, string uploadPath, long maxPixels, CancellationToken ct)
    {
        var format = await SniffAsync(uploadPath, ct)
            ?? throw new UnsupportedImageException("The file is not a JPEG, PNG or WebP image (judged by its contents, not its name or declared type).");
        var output = storage.NewTemporaryPath(ImageProcessor.Extension(format));
        try
        {
            // libvips works on the thread pool: it is CPU-bound and synchronous.
            var image = await Task.Run(() => ImageProcessor.Clean(uploadPath, format, maxPixels, output), ct);
            var stored = await storage.SaveFileAsync(output, image.Extension, ct);
            return new PhotoFile(stored.RelativePath, stored.Sha256, stored.Length, image.MediaType, image.Width, image.Height, image.DominantColor);
        }
        finally
        {
            File.Delete(output);
        }
    }

    private static async Task<ImageFormat?> SniffAsync(string path, CancellationToken ct)
    {
        await using var head = File.OpenRead(path);
        var bytes = new byte[16];
        var count = await head.ReadAtLeastAsync(bytes, bytes.Length, throwOnEndOfStream: false, ct);
        return ImageProcessor.Sniff(bytes.AsSpan(0, count));
    }
}
