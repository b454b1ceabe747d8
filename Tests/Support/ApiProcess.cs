using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ContentApi.Tests.Support;

/// <summary>
/// The API binary (Api.dll, as deployed) running as a process of its own on the test run's database, for what an
/// in-process host cannot show: a real SIGTERM, several instances behind a real proxy.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private readonly IReadOnlyDictionary<string, string> _settings;
    private Process _process = null!;

    /// <param name="settings">Environment on top of Production, the test database, no warm-up and <paramref name="photoFolder"/>.</param>
    public ApiProcess(string photoFolder, IReadOnlyDictionary<string, string>? settings = null, int? port = null)
    {
        Port = port ?? FreePort();
        _settings = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{Port}",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__ContentDb"] = TestRun.ConnectionString,
            ["PhotoStorage__Path"] = photoFolder,
            ["Warmup__Enabled"] = "false",
        }.Concat(settings ?? new Dictionary<string, string>()).GroupBy(s => s.Key).ToDictionary(g => g.Key, g => g.Last().Value);
        Start();
    }

    public int Port { get; }
    public Uri Address => new($"http://127.0.0.1:{Port}");
    public Process Process => _process;

    /// <summary>Everything the process wrote to standard output and error, for assertion messages.</summary>
    public string Log()
    {
        lock (_output)
            return _output.ToString();
    }

    /// <summary>Starts the process again on the same port (after it exited).</summary>
    public void Start()
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Api.dll"));
        foreach (var (name, value) in _settings)
            start.Environment[name] = value;
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, line) => { lock (_output) _output.AppendLine(line.Data); };
        _process.ErrorDataReceived += (_, line) => { lock (_output) _output.AppendLine(line.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200 (a minute at most).</summary>
    public async Task ReadyAsync()
    {
        using var probe = new HttpClient { BaseAddress = Address };
        probe.DefaultRequestHeaders.ConnectionClose = true;
        for (var attempt = 0; await StatusAsync(probe, "/health/ready") != HttpStatusCode.OK; attempt++)
        {
            Assert.That(attempt < 600 && !_process.HasExited, $"the API became ready\n{Log()}");
            await Task.Delay(100);
        }
    }

    /// <summary>A deploy's SIGTERM.</summary>
    public async Task TerminateAsync()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]);
        await kill.WaitForExitAsync();
    }

    /// <summary>Waits for the process to exit (a minute at most) and returns its exit code.</summary>
    public async Task<int> ExitedAsync()
    {
        using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(exit.Token);
        return _process.ExitCode;
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The status of a GET, or null when the connection is refused.</summary>
    public static async Task<HttpStatusCode?> StatusAsync(HttpClient client, string path)
    {
        try
        {
            using var response = await client.GetAsync(path);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
