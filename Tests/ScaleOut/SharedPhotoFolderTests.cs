using System.Security.Cryptography;
using ContentApi.Infrastructure;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;

namespace ContentApi.Tests.ScaleOut;

/// <summary>
/// Two instances' photo storage over one folder (as two API processes on a shared volume have it), saving and sweeping
/// at the same moment: the sweep of one never deletes a file the other is saving for a row not committed yet.
/// </summary>
public class SharedPhotoFolderTests
{
    private static readonly HashSet<string> NoneInUse = [];
    private string _folder = "";
    private PhotoStorage _a = null!;
    private PhotoStorage _b = null!;

    [SetUp]
    public void CreateFolder()
    {
        _folder = Directory.CreateTempSubdirectory("contentapi-shared-folder-").FullName;
        _a = Storage(_folder);
        _b = Storage(_folder);
    }

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    [Test]
    public async Task ASweepLeavesAnOldFileThatAnotherInstanceIsSavingAgainForARowNotCommittedYet()
    {
        // Bytes of a photo deleted long ago, whose file the sweep has not taken yet, uploaded again through B: its row is
        // not committed when A sweeps (or A read the photos in use before it was).
        var bytes = RandomNumberGenerator.GetBytes(2048);
        var old = await _a.SaveAsync(bytes, ".png");
        File.SetLastWriteTimeUtc(_a.FullPath(old.RelativePath), DateTime.UtcNow.AddHours(-3));

        var again = await _b.SaveAsync(bytes, ".png");
        Assert.That(_a.Sweep(NoneInUse, DateTimeOffset.UtcNow.AddHours(-1)), Is.Zero);
        Assert.That(await File.ReadAllBytesAsync(_b.FullPath(again.RelativePath)), Is.EqualTo(bytes));
    }

    [Test]
    public async Task SweepsOfBothInstancesRacingASaveOfTheSameBytesNeverLoseTheSavedFile()
    {
        // Each round: an old unused file; B saves the same bytes again while A and B sweep. Whatever the order (the look
        // at the file's age, the save freshening it or putting its own in place, the sweep taking it), the file B saved
        // is there afterwards and the old ones are gone.
        var lost = new List<int>();
        for (var round = 0; round < 200; round++)
        {
            var bytes = RandomNumberGenerator.GetBytes(512);
            var stored = await _a.SaveAsync(bytes, ".png");
            var path = _a.FullPath(stored.RelativePath);
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-3));
            var cutoff = DateTimeOffset.UtcNow.AddHours(-1);
            var start = new Barrier(3);
            await Task.WhenAll(
                Task.Run(async () => { start.SignalAndWait(); await _b.SaveAsync(bytes, ".png"); }),
                Task.Run(() => { start.SignalAndWait(); _a.Sweep(NoneInUse, cutoff); }),
                Task.Run(() => { start.SignalAndWait(); _b.Sweep(NoneInUse, cutoff); }));
            if (!File.Exists(path) || !(await File.ReadAllBytesAsync(path)).SequenceEqual(bytes))
                lost.Add(round);
        }
        Assert.That(lost, Is.Empty, "rounds whose saved file was swept");
        Assert.That(Directory.EnumerateFiles(Path.Combine(_folder, "tmp")), Is.Empty, "nothing taken by a sweep is left behind");
    }

    [Test]
    public async Task SavesOfTheSameBytesThroughBothAtOnceLeaveOneFileAndNoTemporaryOne()
    {
        var bytes = RandomNumberGenerator.GetBytes(64 * 1024);
        var saved = await Task.WhenAll(Enumerable.Range(0, 16).Select(n => Task.Run(() => (n % 2 == 0 ? _a : _b).SaveAsync(bytes, ".jpg"))));
        Assert.That(saved.Select(s => s.RelativePath).Distinct().ToList(), Has.Count.EqualTo(1));
        Assert.That(await File.ReadAllBytesAsync(_a.FullPath(saved[0].RelativePath)), Is.EqualTo(bytes));
        Assert.That(Directory.EnumerateFiles(_folder, "*", SearchOption.AllDirectories).ToList(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task ASweepLeavesFilesBeingWrittenAndRenditionsOfPhotosInUseAndTakesOldUnusedOnes()
    {
        var inUse = await _a.SaveAsync(RandomNumberGenerator.GetBytes(100), ".png");
        var unused = await _a.SaveAsync(RandomNumberGenerator.GetBytes(100), ".png");
        var renditionInUse = _a.RenditionPath(inUse.Sha256, "v1-320.webp");
        var renditionUnused = _a.RenditionPath(unused.Sha256, "v1-320.webp");
        var oldTemporary = _a.NewTemporaryPath();
        foreach (var path in new[] { renditionInUse, renditionUnused, oldTemporary })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, [1, 2, 3]);
        }
        foreach (var path in Directory.EnumerateFiles(_folder, "*", SearchOption.AllDirectories))
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-3));
        // B is writing an upload and a rendition into its temporary files right now.
        await using var upload = new FileStream(_b.NewTemporaryPath(), FileMode.CreateNew);
        await upload.WriteAsync(new byte[4096]);
        await using var rendering = new FileStream(_b.NewTemporaryPath(".webp"), FileMode.CreateNew);
        await rendering.WriteAsync(new byte[4096]);
        await upload.FlushAsync();
        await rendering.FlushAsync();

        Assert.That(_a.Sweep(new HashSet<string> { inUse.Sha256 }, DateTimeOffset.UtcNow.AddHours(-1)), Is.EqualTo(3));
        Assert.That(File.Exists(_a.FullPath(inUse.RelativePath)) && File.Exists(renditionInUse), "what a photo uses stays");
        Assert.That(File.Exists(_a.FullPath(unused.RelativePath)) || File.Exists(renditionUnused) || File.Exists(oldTemporary), Is.False,
            "what no photo uses goes, and an old temporary file");
        Assert.That(File.Exists(upload.Name) && File.Exists(rendering.Name), "files being written stay");
    }

    private static PhotoStorage Storage(string folder) =>
        new(Options.Create(new PhotoStorageOptions { Path = folder }), new HostingEnvironment { ContentRootPath = folder });
}
