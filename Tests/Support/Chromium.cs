using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ContentApi.Tests.Support;

/// <summary>
/// Debian's headless Chromium, for what only a real browser shows (CORS enforced, Swagger UI rendered under its CSP).
/// Where it is missing the test is ignored, except in CI (<c>CI=true</c>), where scripts/test installs it.
/// </summary>
public static class Chromium
{
    private static readonly string? Executable = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);

    /// <summary>The page at <paramref name="url"/> after its scripts ran, as HTML.</summary>
    public static async Task<string> DumpDomAsync(string url)
    {
        if (Executable is null)
        {
            if (Environment.GetEnvironmentVariable("CI") is { Length: > 0 })
                Assert.Fail("chromium is missing in CI: scripts/test installs Debian's chromium package.");
            Assert.Ignore("chromium is not installed (apt-get install chromium); CI runs this test.");
        }
        var profile = Directory.CreateTempSubdirectory("contentapi-chromium-");
        try
        {
            var start = new ProcessStartInfo(Executable!)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            // No sandbox: CI runs as root. The virtual time budget lets the page's fetches finish before the DOM is dumped.
            foreach (var argument in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                $"--user-data-dir={profile.FullName}", "--virtual-time-budget=15000", "--dump-dom", url,
            })
                start.ArgumentList.Add(argument);
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"chromium did not finish loading {url}: {await error}");
            }
            var dom = await output;
            Assert.That(dom, Is.Not.Empty, $"chromium printed no DOM for {url}: {await error}");
            return dom;
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }
}

/// <summary>A web server on a loopback port of its own that serves one HTML page: another origin than the API's.</summary>
public sealed class PageServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private string _page = "";

    public PageServer()
    {
        var port = FreePort();
        Origin = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Origin + "/");
        _listener.Start();
        _ = ServeAsync();
    }

    public string Origin { get; }

    /// <summary>Serves <paramref name="html"/> from now on, and says where.</summary>
    public string Serve(string html)
    {
        _page = html;
        return Origin + "/";
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            var body = Encoding.UTF8.GetBytes(_page);
            context.Response.ContentType = "text/html; charset=utf-8";
            context.Response.ContentLength64 = body.Length;
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public void Dispose() => _listener.Close();
}
