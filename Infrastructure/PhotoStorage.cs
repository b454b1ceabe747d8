using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ContentApi.Infrastructure;

public class PhotoStorageOptions
{
    public const string Section = "PhotoStorage";

    /// <summary>Folder for photo files; relative paths are under the app's content root.</summary>
    public string Path { get; set; } = "data/photos";
}

/// <summary>A file in storage: where it is (relative to the storage folder), its SHA-256 and its size.</summary>
public record StoredFile(string RelativePath, string Sha256, long Length);

/// <summary>
/// Photo files on disk, addressed by the SHA-256 of their bytes so the same picture is stored once. Every file is
/// written under a temporary name and renamed into place, so a crash never leaves half a file under a real name.
/// </summary>
public class PhotoStorage(IOptions<PhotoStorageOptions> options, IHostEnvironment environment)
{
    private const string RenditionFolder = "renditions";
    private const string TemporaryFolder = "tmp";
    private readonly string _root = System.IO.Path.GetFullPath(options.Value.Path, environment.ContentRootPath);

    /// <summary>Stores the bytes (once) and says where.</summary>
    public async Task<StoredFile> SaveAsync(byte[] bytes, string extension, CancellationToken cancellationToken = default)
    {
        var temporary = NewTemporaryPath();
        await File.WriteAllBytesAsync(temporary, bytes, cancellationToken);
        return await SaveFileAsync(temporary, extension, cancellationToken);
    }

    /// <summary>Moves a finished temporary file into content-addressed storage (or drops it when the same bytes are there).</summary>
    public async Task<StoredFile> SaveFileAsync(string temporaryPath, string extension, CancellationToken cancellationToken = default)
    {
        string hash;
        long length;
        await using (var stream = File.OpenRead(temporaryPath))
        {
            hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
            length = stream.Length;
        }
        var relative = System.IO.Path.Combine(hash[..2], hash + extension);
        var target = FullPath(relative);
        if (File.Exists(target))
            File.Delete(temporaryPath);
        else
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            File.Move(temporaryPath, target, overwrite: true);
        }
        return new StoredFile(relative, hash, length);
    }

    /// <summary>A fresh path in the storage's own temporary folder (same file system, so the final rename is atomic).</summary>
    public string NewTemporaryPath(string extension = ".tmp")
    {
        var folder = System.IO.Path.Combine(_root, TemporaryFolder);
        Directory.CreateDirectory(folder);
        return System.IO.Path.Combine(folder, Guid.NewGuid().ToString("N") + extension);
    }

    /// <summary>Opens a stored file for reading, or null when it is missing.</summary>
    public Stream? OpenRead(string relativePath)
    {
        var path = FullPath(relativePath);
        return File.Exists(path)
            ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true)
            : null;
    }

    /// <summary>Where a rendition of the file with this hash lives.</summary>
    public string RenditionPath(string sha256, string name) => FullPath(System.IO.Path.Combine(RenditionFolder, sha256[..2], sha256, name));

    public string FullPath(string relativePath)
    {
        var full = System.IO.Path.GetFullPath(relativePath, _root);
        // Paths come from the database, but never let one escape the storage folder.
        if (!full.StartsWith(_root + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new InvalidOperationException($"Photo path '{relativePath}' is outside the storage folder.");
        return full;
    }

    /// <summary>
    /// Deletes originals and renditions whose hash no photo uses, and leftover temporary files. Only files older than
    /// <paramref name="olderThan"/> go, so an upload whose row is not committed yet keeps its file.
    /// </summary>
    public int Sweep(IReadOnlySet<string> hashesInUse, DateTimeOffset olderThan)
    {
        if (!Directory.Exists(_root))
            return 0;
        var deleted = 0;
        foreach (var file in Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories))
        {
            if (File.GetLastWriteTimeUtc(file) >= olderThan.UtcDateTime)
                continue;
            var relative = System.IO.Path.GetRelativePath(_root, file).Split(System.IO.Path.DirectorySeparatorChar);
            var hash = relative switch
            {
                [TemporaryFolder, ..] => null,
                [RenditionFolder, _, var h, ..] => h,
                [_, var name] => System.IO.Path.GetFileNameWithoutExtension(name),
                _ => "",
            };
            if (hash is not null && (hash.Length == 0 || hashesInUse.Contains(hash)))
                continue;
            File.Delete(file);
            deleted++;
        }
        return deleted;
    }
}
