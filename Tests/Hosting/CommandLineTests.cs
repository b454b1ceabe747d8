using System.Diagnostics;
using System.Net;
using ContentApi.Api.Auth;
using ContentApi.Tests.Support;

namespace ContentApi.Tests.Hosting;

/// <summary>The API binary's administrative commands, run as a process the way a script runs them.</summary>
public class CommandLineTests : ApiTest
{
    private static async Task<(int ExitCode, string Output, string Errors)> RunApiAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Api.dll"));
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        start.Environment["ConnectionStrings__ContentDb"] = TestRun.ConnectionString;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await errors);
    }

    [Test]
    public async Task ApiKeyCreatePrintsOnlyTheKeySoAScriptCanCaptureIt()
    {
        var (exitCode, output, errors) = await RunApiAsync("apikey", "create", "--name", "script", "--role", "editor");

        Assert.That(exitCode, Is.EqualTo(0), errors);
        Assert.That(output, Does.Match(@"^cak_\S+\n$"), "standard output is the key and nothing else, as KEY=$(…) takes it");
        Assert.That(errors, Does.Contain("Migrations").And.Contain("Created API key 'script'"), "the log and the notice go to standard error");
        using var client = TestRun.Factory.CreateClient();
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.Header, output.Trim());
        using var response = await client.GetAsync("/api/contacts");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the printed key works");
    }
}
