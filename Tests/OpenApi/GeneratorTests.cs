using System.Text.Json.Nodes;
using ContentApi.Domain;
using ContentApi.Tests.ApiClient;
using ContentApi.Tests.Support;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.OpenApi;

/// <summary>
/// The committed document is what client generators are given: Spectral's OpenAPI rules find nothing in it, Kiota
/// generates a C# client from it without a complaint, and that client (committed in Tests/ApiClient) is current and
/// works against the running API.
/// </summary>
public class GeneratorTests : ApiTest
{
    [Test]
    public async Task SpectralFindsNoErrorAndNoWarningInTheCommittedDocument()
    {
        OpenApiTools.Require(File.Exists(OpenApiTools.Spectral), "Spectral", "npm ci --prefix tools/openapi");

        var (exitCode, output) = await OpenApiTools.RunAsync(OpenApiTools.Spectral,
            "lint", OpenApiTools.DocumentPath, "--ruleset", Path.Combine(OpenApiTools.Root, ".spectral.yaml"), "--fail-severity", "warn", "--format", "json");

        // Spectral prints its findings as a JSON array, then a one-line verdict.
        var findings = JsonNode.Parse(output[..(output.LastIndexOf(']') + 1)])!.AsArray();
        Assert.That(findings.Select(f => $"{f!["code"]} at {string.Join('.', f["path"]!.AsArray())}: {f["message"]}"), Is.Empty);
        Assert.That(exitCode, Is.Zero, output);
    }

    /// <summary>
    /// Kiota regenerates the client from the committed document; it must report no error or warning about the document,
    /// and what it writes must be what is committed (CONTENTAPI_UPDATE_OPENAPI=1 writes it).
    /// </summary>
    [Test]
    public async Task KiotaGeneratesTheCommittedClientWithoutComplaint()
    {
        // Updating, the document this test reads must be the new one, whichever test runs first.
        if (OpenApiTools.Updating)
            await OpenApiTools.WriteDocumentAsync(await OpenApiTools.BuiltDocumentAsync());
        var output = Directory.CreateTempSubdirectory("contentapi-kiota-");
        try
        {
            var (exitCode, log) = await OpenApiTools.RunAsync("dotnet", OpenApiTools.KiotaArguments(output.FullName));
            Assert.That(exitCode, Is.Zero, log);
            Assert.That(log, Does.Contain("Generation completed successfully"), log);
            Assert.That(OpenApiTools.KiotaComplaints(log), Is.Empty);

            var generated = OpenApiTools.SourceFiles(output.FullName);
            if (OpenApiTools.Updating)
            {
                if (Directory.Exists(OpenApiTools.ClientFolder))
                    Directory.Delete(OpenApiTools.ClientFolder, recursive: true);
                foreach (var (path, text) in generated)
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(OpenApiTools.ClientFolder, path))!);
                    await File.WriteAllTextAsync(Path.Combine(OpenApiTools.ClientFolder, path), text);
                }
            }
            var committed = OpenApiTools.SourceFiles(OpenApiTools.ClientFolder);
            var stale = generated.Keys.Union(committed.Keys)
                .Where(path => generated.GetValueOrDefault(path) != committed.GetValueOrDefault(path)).Order().ToList();
            Assert.That(stale, Is.Empty, "Tests/ApiClient is not what Kiota makes of openapi/contentapi.json: run "
                + "CONTENTAPI_UPDATE_OPENAPI=1 scripts/test and commit Tests/ApiClient.");
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    [Test]
    public async Task TheGeneratedClientReadsAndWritesThroughTheApi()
    {
        var article = Article("Nytt medborgarlöfte");
        var pledge = Pledge(2024);
        article.PledgeId = pledge.Id;
        await SaveAsync(pledge, article);

        var anonymous = ClientFor(Client);
        var read = await anonymous.Api.Pledges.ByYear[2024].GetAsync();
        Assert.That(read?.Year, Is.EqualTo(2024));
        Assert.That(read?.Articles?.Select(a => a.Slug), Is.EqualTo(new[] { "nytt-medborgarlofte" }));
        var bySlug = await anonymous.Api.Articles.BySlug["nytt-medborgarlofte"].GetAsync();
        Assert.That(bySlug?.Title, Is.EqualTo("Nytt medborgarlöfte"));
        var missing = Assert.ThrowsAsync<ApiClient.Models.ProblemDetails>(() => anonymous.Api.Pledges.ByYear[1999].GetAsync());
        Assert.That(missing!.ResponseStatusCode, Is.EqualTo(404));
        Assert.That(missing.Detail, Does.Contain("1999"));

        using var editorHttp = await TestAuth.KeyClientAsync(Roles.Editor);
        var editor = ClientFor(editorHttp);
        var created = await editor.Api.Contacts.PostAsync(new ApiClient.Models.ContactInput { Name = "Gabriella Leandersson", Phone = "0456-81 62 20" });
        Assert.That(created?.Phone, Is.EqualTo("+46456816220"));
        Assert.That(created?.PhoneDisplay, Is.EqualTo("0456-81 62 20"));
        var refused = Assert.ThrowsAsync<ApiClient.Models.HttpValidationProblemDetails>(() =>
            editor.Api.Contacts.PostAsync(new ApiClient.Models.ContactInput { Name = "" }));
        Assert.That(refused!.ResponseStatusCode, Is.EqualTo(400));
    }

    private static ContentApiClient ClientFor(HttpClient http) =>
        new(new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http)
        {
            BaseUrl = http.BaseAddress!.ToString().TrimEnd('/'),
        });
}
