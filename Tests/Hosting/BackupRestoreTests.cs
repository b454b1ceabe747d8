using System.Diagnostics;
using System.Net;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using Npgsql;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Hosting;

/// <summary>
/// scripts/backup and scripts/restore, as an operator runs them: a backup of the running API's database and photo folder,
/// restored into a fresh database and an empty folder, gives the same answers byte for byte.
/// </summary>
public class BackupRestoreTests : ApiTest
{
    private string _work = "";
    private readonly List<string> _databases = [];

    [SetUp]
    public void MakeWorkFolder() => _work = Directory.CreateTempSubdirectory("contentapi-backup-").FullName;

    [TearDown]
    public async Task RemoveWhatTheTestMade()
    {
        Directory.Delete(_work, recursive: true);
        foreach (var name in _databases)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(TestRun.ConnectionString);
            await connection.OpenAsync();
            // A drop waits for a checkpoint: slow on a busy machine.
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection) { CommandTimeout = 300 };
            await drop.ExecuteNonQueryAsync();
        }
    }

    [Test]
    public async Task ARestoredBackupGivesTheSameAnswersByteForByte()
    {
        var contact = Contact("Karin Kontakt");
        var (articleId, photo) = await PhotoUploads.PublishedArticleWithUploadedPhotoAsync(TestImages.Jpeg(640, 480), contact);
        var pledge = Pledge(2024);
        await SaveAsync(pledge, Article("Trafiksäkerhet vid skolorna", tags: "trafik"), Article("Utkast", ContentStatus.Draft));
        var photoId = (string)photo["id"]!;
        string[] reads =
        [
            $"/api/articles/{articleId}",
            "/api/articles/by-slug/med-bild",
            "/api/articles?tag=trafik",
            "/api/articles",
            "/api/pledges/current",
            $"/api/pledges/by-year/{pledge.Year}",
            $"/api/photos/{photoId}",
            $"/api/photos/{photoId}/file",
            PhotoUploads.RenditionUrl(photo),
            $"/api/contacts/{contact.Id}",
            "/odata/Articles?$expand=heroPhoto,contacts&$count=true&$orderby=title",
            "/odata/Pledges",
            "/odata/Photos",
        ];
        var before = await ReadAllAsync(Client, reads);
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var draftBefore = await ReadAllAsync(editor, ["/api/articles?status=Draft", "/odata/Articles?$filter=status eq 'Draft'"]);

        var archive = Path.Combine(_work, "contentapi.tar");
        var backup = await RunScriptAsync("backup", archive, TestRun.ConnectionString, TestRun.PhotoFolder);
        Assert.That(backup.ExitCode, Is.EqualTo(0), backup.Output);
        Assert.That(File.Exists(archive), backup.Output);

        var restoredDatabase = NewDatabaseName();
        var restoredConnection = new NpgsqlConnectionStringBuilder(TestRun.ConnectionString) { Database = restoredDatabase }.ConnectionString;
        var restoredPhotos = Path.Combine(_work, "photos-restored");
        var restore = await RunScriptAsync("restore", archive, restoredConnection, restoredPhotos);
        Assert.That(restore.ExitCode, Is.EqualTo(0), restore.Output);

        await using var restored = new ContentApiFactory(restoredConnection, restoredPhotos);
        restored.UseKestrel(0);
        using var client = restored.CreateClient();
        var after = await ReadAllAsync(client, reads);
        foreach (var url in reads)
        {
            Assert.That(after[url].Status, Is.EqualTo(HttpStatusCode.OK), url);
            Assert.That(after[url].Headers, Is.EqualTo(before[url].Headers), url);
            Assert.That(after[url].Body, Is.EqualTo(before[url].Body), $"{url} answers the same bytes after the restore");
        }

        // An editor's drafts come back too (the restore is of the whole database, not of what is public).
        var (key, secret) = ContentApi.Api.Auth.ApiKeys.Create("after-restore", Roles.Editor, DateTimeOffset.UtcNow);
        await using (var db = restored.CreateDbContext())
        {
            db.ApiKeys.Add(key);
            await db.SaveChangesAsync();
        }
        using var restoredEditor = restored.CreateClient();
        restoredEditor.DefaultRequestHeaders.Add(ContentApi.Api.Auth.ApiKeyAuthenticationHandler.Header, secret);
        var draftAfter = await ReadAllAsync(restoredEditor, draftBefore.Keys.ToArray());
        foreach (var (url, answer) in draftBefore)
            Assert.That(draftAfter[url].Body, Is.EqualTo(answer.Body), url);
    }

    [Test]
    public async Task RestoreRefusesADatabaseOrAFolderThatIsNotEmptyAndChangesNothingInThem()
    {
        await SaveAsync(Article("Finns redan"));
        var archive = Path.Combine(_work, "contentapi.tar");
        Assert.That((await RunScriptAsync("backup", archive, TestRun.ConnectionString, TestRun.PhotoFolder)).ExitCode, Is.EqualTo(0));

        var intoLive = await RunScriptAsync("restore", archive, TestRun.ConnectionString, Path.Combine(_work, "empty"));
        Assert.That(intoLive.ExitCode, Is.Not.EqualTo(0));
        Assert.That(intoLive.Output, Does.Contain("is not empty"));

        var busyFolder = Path.Combine(_work, "busy");
        Directory.CreateDirectory(busyFolder);
        await File.WriteAllTextAsync(Path.Combine(busyFolder, "keep.txt"), "mine");
        var elsewhere = new NpgsqlConnectionStringBuilder(TestRun.ConnectionString) { Database = NewDatabaseName() }.ConnectionString;
        var intoBusyFolder = await RunScriptAsync("restore", archive, elsewhere, busyFolder);
        Assert.That(intoBusyFolder.ExitCode, Is.Not.EqualTo(0));
        Assert.That(intoBusyFolder.Output, Does.Contain("not empty"));
        Assert.That(Directory.GetFiles(busyFolder), Has.Length.EqualTo(1));

        var list = await GetJson("/api/articles");
        Assert.That(Strings(list["items"], "title"), Is.EqualTo(new[] { "Finns redan" }), "the live database is untouched");
    }

    [Test]
    public async Task ADamagedBackupIsRefusedAndLeavesTheTargetEmpty()
    {
        await SaveAsync(Article("Något"));
        var archive = Path.Combine(_work, "contentapi.tar");
        Assert.That((await RunScriptAsync("backup", archive, TestRun.ConnectionString, TestRun.PhotoFolder)).ExitCode, Is.EqualTo(0));
        // Flip one byte in the middle of the archive (inside the dump or a photo): a checksum no longer matches.
        var bytes = await File.ReadAllBytesAsync(archive);
        bytes[bytes.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(archive, bytes);

        var database = NewDatabaseName();
        var target = new NpgsqlConnectionStringBuilder(TestRun.ConnectionString) { Database = database }.ConnectionString;
        var restore = await RunScriptAsync("restore", archive, target, Path.Combine(_work, "restored"));
        Assert.That(restore.ExitCode, Is.Not.EqualTo(0));
        Assert.That(restore.Output, Does.Contain("damaged").Or.Contain("not a ContentApi backup").Or.Contain("tar"));
        Assert.That(Directory.Exists(Path.Combine(_work, "restored")) && Directory.EnumerateFileSystemEntries(Path.Combine(_work, "restored")).Any(),
            Is.False, "no photo was written");
    }

    private string NewDatabaseName()
    {
        var name = $"contentapi_restore_{Guid.NewGuid():N}";
        _databases.Add(name);
        return name;
    }

    private record Answer(HttpStatusCode Status, string Headers, byte[] Body);

    /// <summary>Each URL's status, body and the headers that must survive a restore (type, ETag, Last-Modified).</summary>
    private static async Task<Dictionary<string, Answer>> ReadAllAsync(HttpClient client, string[] urls)
    {
        var answers = new Dictionary<string, Answer>();
        foreach (var url in urls)
        {
            // OData's links are absolute: both servers are asked under the same name (they listen on different ports).
            using var request = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Host = "innehall.solvesborg.example" } };
            using var response = await client.SendAsync(request);
            var headers = string.Join("; ", response.Content.Headers.ContentType?.ToString(), response.Headers.ETag?.ToString(),
                response.Content.Headers.LastModified?.ToString("R"));
            answers[url] = new Answer(response.StatusCode, headers, await response.Content.ReadAsByteArrayAsync());
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{url}: {await response.Content.ReadAsStringAsync()}");
        }
        return answers;
    }

    private static async Task<(int ExitCode, string Output)> RunScriptAsync(string script, string archive, string connectionString, string photos)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(OpenApiTools.Root, "scripts", script), archive])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.Environment["ConnectionStrings__ContentDb"] = connectionString;
        start.Environment["PhotoStorage__Path"] = photos;
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }
}
