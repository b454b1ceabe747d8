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

    /// <summary>
    /// Moves a finished temporary file into content-addressed storage, or drops it when the same bytes are there. Either
    /// way the stored file is fresh when this returns (a file found there has its time set to now): the sweep leaves
    /// young files alone, so an upload whose row is not committed yet keeps its file even when the bytes are those of
    /// a photo deleted long ago, on this instance or another one sharing the folder.
    /// </summary>
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
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        for (var attempt = 1; !MoveIntoPlace(temporaryPath, target); attempt++)
        {
            try
            {
                File.SetLastWriteTimeUtc(target, DateTime.UtcNow);
                File.Delete(temporaryPath);
                break;
            }
            catch (FileNotFoundException) when (attempt < 10)
            {
                // A sweep took the old file between the two steps: put ours in its place.
            }
        }
        return new StoredFile(relative, hash, length);
    }

    /// <summary>
    /// Renames a finished file to its final name unless a file is there already (false then; the temporary file stays).
    /// A file in place is never replaced: a reader on another instance may be sending it, its length already announced.
    /// </summary>
    public static bool MoveIntoPlace(string temporaryPath, string target)
    {
        try
        {
            // Without overwrite, .NET links the new name and unlinks the old one: atomic, and it fails when the name is taken.
            File.Move(temporaryPath, target, overwrite: false);
            return true;
        }
        catch (IOException e) when (e is not (FileNotFoundException or DirectoryNotFoundException) && File.Exists(temporaryPath))
        {
            // The name is taken (or was a moment ago: a sweep may have taken that file since; the caller sees).
            return false;
        }
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
    /// <paramref name="olderThan"/> go, so an upload whose row is not committed yet keeps its file (a stored file is
    /// fresh once saved, see <see cref="SaveFileAsync"/>). Several instances may share the folder and save, render and
    /// sweep at once: a file is not deleted where it lies but first renamed into the temporary folder, and only deleted
    /// when the file so taken is still old; a file another instance saved or freshened between the look and the rename
    /// is put back.
    /// </summary>
    public int Sweep(IReadOnlySet<string> hashesInUse, DateTimeOffset olderThan)
    {
        if (!Directory.Exists(_root))
            return 0;
        var deleted = 0;
        var cutoff = olderThan.UtcDateTime;
        foreach (var file in Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories))
        {
            if (File.GetLastWriteTimeUtc(file) >= cutoff)
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
            if (hash is null ? DeleteIfOld(file, cutoff) : TakeAndDeleteIfOld(file, cutoff))
                deleted++;
        }
        return deleted;
    }

    /// <summary>A temporary file is never saved again under its name: it is deleted if still old (another sweep may have gone first).</summary>
    private static bool DeleteIfOld(string file, DateTime cutoff)
    {
        if (!File.Exists(file) || File.GetLastWriteTimeUtc(file) >= cutoff)
            return false;
        File.Delete(file);
        return true;
    }

    private bool TakeAndDeleteIfOld(string file, DateTime cutoff)
    {
        var taken = NewTemporaryPath(".swept");
        try
        {
            File.Move(file, taken);
        }
        catch (IOException e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false; // another instance's sweep took it first
        }
        if (File.GetLastWriteTimeUtc(taken) < cutoff)
        {
            File.Delete(taken);
            return true;
        }
        // Saved or freshened by an upload since the look: back where it was (unless an even newer one is there by now).
        if (!MoveIntoPlace(taken, file))
            File.Delete(taken);
        return false;
    }
}
