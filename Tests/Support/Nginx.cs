using System.Diagnostics;
using System.Text;

namespace ContentApi.Tests.Support;

/// <summary>
/// Debian's nginx running the project's own configuration (deploy/nginx/contentapi.conf) in the foreground, under a
/// temporary prefix, on a free loopback port, in front of the given instances; nothing of the machine's nginx
/// configuration is read or touched. scripts/test installs the package where it is missing; a developer's run without
/// it ignores the tests that need it, CI's fails them.
/// </summary>
public sealed class Nginx : IAsyncDisposable
{
    private const string ConfigFile = "deploy/nginx/contentapi.conf";
    private readonly string _prefix = Directory.CreateTempSubdirectory("contentapi-nginx-").FullName;
    private readonly StringBuilder _output = new();
    private readonly Process _process;

    public Nginx(params int[] upstreamPorts)
    {
        var binary = new[] { "/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx" }.FirstOrDefault(File.Exists);
        if (binary is null)
        {
            Directory.Delete(_prefix);
            var missing = "nginx is not installed (apt-get install nginx; scripts/test does it where apt-get is)";
            if (Environment.GetEnvironmentVariable("CI") is { Length: > 0 })
                Assert.Fail(missing);
            Assert.Ignore(missing);
        }
        Port = ApiProcess.FreePort();
        File.WriteAllText(Path.Combine(_prefix, "contentapi.conf"), Adapt(File.ReadAllText(Path.Combine(OpenApiTools.Root, ConfigFile)), upstreamPorts));
        // The http-level file included as /etc/nginx/nginx.conf would include it, with every path in the prefix.
        var temp = string.Join("\n", new[] { "client_body", "proxy", "fastcgi", "uwsgi", "scgi" }
            .Select(kind => $"    {kind}_temp_path {Path.Combine(_prefix, kind)};"));
        File.WriteAllText(Path.Combine(_prefix, "nginx.conf"), $$"""
            {{(Environment.UserName == "root" ? "user root;" : "")}}
            daemon off;
            worker_processes 2;
            pid {{Path.Combine(_prefix, "nginx.pid")}};
            error_log {{Path.Combine(_prefix, "error.log")}} notice;
            events { worker_connections 1024; }
            http {
            {{temp}}
                include {{Path.Combine(_prefix, "contentapi.conf")}};
            }
            """);
        var start = new ProcessStartInfo(binary!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-p");
        start.ArgumentList.Add(_prefix + "/");
        start.ArgumentList.Add("-e");
        start.ArgumentList.Add(Path.Combine(_prefix, "error.log"));
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Path.Combine(_prefix, "nginx.conf"));
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, line) => { lock (_output) _output.AppendLine(line.Data); };
        _process.ErrorDataReceived += (_, line) => { lock (_output) _output.AppendLine(line.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Port { get; }
    public Uri Address => new($"http://127.0.0.1:{Port}");
    public string AccessLog => Path.Combine(_prefix, "access.log");

    public string Log()
    {
        var error = Path.Combine(_prefix, "error.log");
        lock (_output)
            return _output + (File.Exists(error) ? File.ReadAllText(error) : "");
    }

    /// <summary>Waits until nginx answers on its port (its /health/live goes to an instance).</summary>
    public async Task ListeningAsync()
    {
        using var probe = new HttpClient { BaseAddress = Address };
        for (var attempt = 0; await ApiProcess.StatusAsync(probe, "/health/live") is null; attempt++)
        {
            Assert.That(attempt < 100 && !_process.HasExited, $"nginx started\n{Log()}");
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Each logged request in order: the upstreams tried (the access log's upstream= field; more than one when nginx
    /// retried the request on the other instance), the last being the one that answered.
    /// </summary>
    public IReadOnlyList<string[]> Upstreams() =>
        File.ReadLines(AccessLog).Select(line => UpstreamField.Match(line).Groups[1].Value.Split(", ")).ToList();

    private static readonly System.Text.RegularExpressions.Regex UpstreamField = new(" upstream=(.*) upstream_status=");

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        _process.Dispose();
        Directory.Delete(_prefix, recursive: true);
        return ValueTask.CompletedTask;
    }

    /// <summary>The documented file with the test's addresses: the two upstream servers, the listen line, the access log.</summary>
    private string Adapt(string config, int[] upstreamPorts)
    {
        string Replace(string text, string old, string replacement)
        {
            Assert.That(text, Does.Contain(old), $"{ConfigFile} no longer holds '{old}', which the test replaces");
            return text.Replace(old, replacement);
        }
        config = Replace(config, "server 10.0.0.11:8080", $"server 127.0.0.1:{upstreamPorts[0]}");
        config = Replace(config, "server 10.0.0.12:8080", $"server 127.0.0.1:{upstreamPorts[1]}");
        config = Replace(config, "listen 80;", $"listen 127.0.0.1:{Port};");
        return Replace(config, "/var/log/nginx/contentapi.access.log", AccessLog);
    }
}
