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

/// <summary>Photo files on disk, addressed by the SHA-256 of their bytes so the same picture is stored once.</summary>
public class PhotoStorage(IOptions<PhotoStorageOptions> options, IHostEnvironment environment)
{
    private readonly string _root = System.IO.Path.GetFullPath(options.Value.Path, environment.ContentRootPath);

    /// <summary>Stores the bytes (once) and returns the path relative to the storage root.</summary>
    public async Task<string> SaveAsync(byte[] bytes, string extension, CancellationToken cancellationToken = default)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var relative = System.IO.Path.Combine(hash[..2], hash + extension);
        var target = FullPath(relative);
        if (File.Exists(target))
            return relative;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        // Write to a temporary name and rename, so a crash never leaves half a file under the real name.
        var temporary = target + "." + Guid.NewGuid().ToString("N") + ".tmp";
        await File.WriteAllBytesAsync(temporary, bytes, cancellationToken);
        File.Move(temporary, target, overwrite: true);
        return relative;
    }

    /// <summary>Opens a stored file for reading, or null when it is missing.</summary>
    public Stream? OpenRead(string relativePath)
    {
        var path = FullPath(relativePath);
        return File.Exists(path)
            ? new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true)
            : null;
    }

    public string FullPath(string relativePath)
    {
        var full = System.IO.Path.GetFullPath(relativePath, _root);
        // Paths come from the database, but never let one escape the storage folder.
        if (!full.StartsWith(_root + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new InvalidOperationException($"Photo path '{relativePath}' is outside the storage folder.");
        return full;
    }
}
