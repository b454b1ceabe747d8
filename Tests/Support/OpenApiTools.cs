using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.Swagger;

namespace ContentApi.Tests.Support;

/// <summary>
/// Where the committed OpenAPI document and the client generated from it live, and how the tools that check them
/// (Spectral from npm, Kiota as a dotnet tool) are run.
/// </summary>
public static class OpenApiTools
{
    /// <summary>CONTENTAPI_UPDATE_OPENAPI=1 rewrites the committed document and client instead of only comparing.</summary>
    public static bool Updating => Environment.GetEnvironmentVariable("CONTENTAPI_UPDATE_OPENAPI") == "1";

    public static string Root { get; } = FindRoot();

    public static string DocumentPath => Path.Combine(Root, "openapi", "contentapi.json");

    public static string ClientFolder => Path.Combine(Root, "Tests", "ApiClient");

    /// <summary>The OpenAPI document as the API builds it (the served one is the same without servers).</summary>
    public static async Task<JsonNode> BuiltDocumentAsync() => JsonNode.Parse(await TestRun.Factory.Services
        .GetRequiredService<ISwaggerProvider>().GetSwagger("v1").SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_0))!;

    public static Task WriteDocumentAsync(JsonNode document) => File.WriteAllTextAsync(DocumentPath, document.ToJsonString(new JsonSerializerOptions
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    }) + "\n");

    /// <summary>Installed by <c>npm ci --prefix tools/openapi</c>, which scripts/test runs.</summary>
    public static string Spectral => Path.Combine(Root, "tools", "openapi", "node_modules", ".bin", "spectral");

    /// <summary>
    /// A tool that is not installed fails the test in CI (CI=true, as .ci/run sets); on a developer's machine the test is
    /// ignored with the command that installs it.
    /// </summary>
    public static void Require(bool installed, string tool, string install)
    {
        if (installed)
            return;
        var message = $"{tool} is not installed: run `{install}` in the repository (scripts/test does).";
        if (Environment.GetEnvironmentVariable("CI") == "true")
            Assert.Fail(message);
        Assert.Ignore(message);
    }

    /// <summary>The Kiota command that makes Tests/ApiClient (run from the repository root).</summary>
    public static string[] KiotaArguments(string outputFolder) =>
    [
        "kiota", "generate", "--language", "CSharp", "--openapi", Path.Combine("openapi", "contentapi.json"),
        "--output", outputFolder, "--namespace-name", "ContentApi.Tests.ApiClient", "--class-name", "ContentApiClient",
        "--clean-output", "--log-level", "Warning",
    ];

    /// <summary>
    /// What Kiota's log says is wrong (its warnings, errors and critical messages), except that it could not look for a
    /// newer version of itself (there is no network).
    /// </summary>
    public static List<string> KiotaComplaints(string log)
    {
        var complaints = new List<string>();
        var lines = log.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(lines[i], "^(warn|fail|crit): "))
                continue;
            var message = i + 1 < lines.Length ? lines[i + 1].Trim() : "";
            if (message != "Unable to check for updates")
                complaints.Add($"{lines[i].Trim()} {message}");
        }
        return complaints;
    }

    /// <summary>The C# files under a folder, by path relative to it (with / between folders), with their text.</summary>
    public static Dictionary<string, string> SourceFiles(string folder) => !Directory.Exists(folder)
        ? []
        : Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories).ToDictionary(
            file => Path.GetRelativePath(folder, file).Replace(Path.DirectorySeparatorChar, '/'),
            file => File.ReadAllText(file).ReplaceLineEndings("\n"));

    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        // Kiota asks GitHub for a newer version unless told not to; there is no network here, and the answer would not matter.
        start.Environment["KIOTA_UPDATE__DISABLED"] = "true";
        start.Environment["KIOTA_TUTORIAL__ENABLED"] = "false";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ContentApi.sln")))
                return dir.FullName;
        throw new InvalidOperationException("ContentApi.sln not found above " + AppContext.BaseDirectory);
    }
}
