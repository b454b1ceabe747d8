using System.Globalization;
using System.Text.Json;

namespace Bench.Report;

/// <summary>
/// Where the API's CPU went in one scenario: dotnet-trace's EventPipe stack samples (converted to speedscope's evented
/// format), each sampled moment of a thread that was running put in one bucket by the component nearest its leaf.
/// </summary>
/// <remarks>
/// EventPipe samples every managed thread, running or not. A sample whose leaf is native code ("UNMANAGED_CODE_TIME")
/// under a wait (a semaphore, a monitor, epoll, a blocking socket read) is idle time and left out; native code under
/// anything else (a socket send, an allocation that collects) counts for its managed caller. Threads that are not
/// managed (the GC's and the JIT's own) are not sampled at all: the shares are of the managed threads' CPU.
/// </remarks>
public sealed record CpuProfile(
    double CpuMs, IReadOnlyList<(string Bucket, double Exclusive, double Inclusive)> Buckets,
    IReadOnlyList<(string Method, double Share)> TopMethods)
{
    /// <summary>The buckets, in the README's order; the last one takes what none of the others claims.</summary>
    public static readonly string[] BucketNames =
        ["Kestrel/middleware", "EF Core", "Npgsql", "OData", "serialization", "our code", "runtime/other"];

    public static CpuProfile? Load(string path)
    {
        if (!File.Exists(path))
            return null;
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var frames = doc.RootElement.GetProperty("shared").GetProperty("frames").EnumerateArray()
            .Select(f => f.GetProperty("name").GetString() ?? "").ToArray();
        var exclusive = new double[BucketNames.Length];
        var inclusive = new double[BucketNames.Length];
        var methods = new Dictionary<string, double>();
        var cpu = 0.0;
        foreach (var profile in doc.RootElement.GetProperty("profiles").EnumerateArray())
        {
            if (!profile.TryGetProperty("events", out var events))
                continue;
            var stack = new List<int>();
            double? last = null;
            foreach (var e in events.EnumerateArray())
            {
                var at = e.GetProperty("at").GetDouble();
                if (last is { } from && at > from && stack.Count > 0)
                {
                    var ms = at - from;
                    if (Classify(frames, stack) is { } sample)
                    {
                        cpu += ms;
                        exclusive[sample.Bucket] += ms;
                        foreach (var b in sample.Present)
                            inclusive[b] += ms;
                        methods[sample.Leaf] = methods.GetValueOrDefault(sample.Leaf) + ms;
                    }
                }
                last = at;
                var frame = e.GetProperty("frame").GetInt32();
                if (e.GetProperty("type").GetString() == "O")
                    stack.Add(frame);
                else if (stack.Count > 0)
                    stack.RemoveAt(stack.Count - 1);
            }
        }
        if (cpu <= 0)
            return new CpuProfile(0, [], []);
        return new CpuProfile(cpu,
            [.. BucketNames.Select((name, i) => (name, exclusive[i] / cpu, inclusive[i] / cpu))],
            [.. methods.OrderByDescending(m => m.Value).Take(8).Select(m => (m.Key, m.Value / cpu))]);
    }

    private sealed record Sample(int Bucket, HashSet<int> Present, string Leaf);

    private static Sample? Classify(string[] frames, List<int> stack)
    {
        var real = new List<string>();
        var native = false;
        for (var i = stack.Count - 1; i >= 0; i--)
        {
            var name = frames[stack[i]];
            if (name == "UNMANAGED_CODE_TIME")
                native = true;
            else if (name.Contains('!', StringComparison.Ordinal) && !name.StartsWith("?!", StringComparison.Ordinal))
                real.Add(name);
        }
        if (real.Count == 0 || native && IsWait(real[0]))
            return null;
        var present = new HashSet<int>();
        int? bucket = null;
        foreach (var frame in real)
        {
            if (BucketOf(frame) is { } b)
            {
                bucket ??= b;
                present.Add(b);
            }
        }
        var last = BucketNames.Length - 1;
        present.Add(bucket ?? last);
        return new Sample(bucket ?? last, present, ShortName(real[0]));
    }

    private static readonly string[] Waits =
    [
        "Monitor.Wait", "WaitForSignal", "WaitOneNoCheck", "WaitHandle.Wait", "LowLevelMonitor.Wait", "Thread.Sleep",
        "Interop+Sys.WaitForSocketEvents", "Interop+Sys.Read(", "Interop+Sys.Receive", "Interop+Sys.Poll",
        "LowLevelLifoSemaphore.Wait", "ManualResetEventSlim.Wait", "SemaphoreSlim.Wait", "Task.SpinThenBlockingWait",
        // Thread loops whose native leaf is their wait (the P/Invoke's own frame is not on the sampled stack).
        "SocketAsyncEngine.EventLoop", "WorkerThread.WorkerThreadStart", "WaitThread.WaitThreadLoop",
        "TimerQueue.TimerThread", "GateThread.GateThreadStart", "Thread.StartCallback", "Thread.StartCore",
    ];

    private static bool IsWait(string frame) => Waits.Any(w => frame.Contains(w, StringComparison.Ordinal));

    /// <summary>The component a frame belongs to, by its assembly; null for the base library and anything generic.</summary>
    private static int? BucketOf(string frame)
    {
        var module = frame[..frame.IndexOf('!', StringComparison.Ordinal)];
        int? Named(string bucket) => Array.IndexOf(BucketNames, bucket);
        return module switch
        {
            _ when module.StartsWith("Npgsql", StringComparison.Ordinal) => Named("Npgsql"),
            _ when module.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal) => Named("EF Core"),
            _ when module.StartsWith("Microsoft.OData", StringComparison.Ordinal)
                || module.StartsWith("Microsoft.AspNetCore.OData", StringComparison.Ordinal)
                || module.StartsWith("Microsoft.Spatial", StringComparison.Ordinal) => Named("OData"),
            _ when module.StartsWith("System.Text.Json", StringComparison.Ordinal) => Named("serialization"),
            "Api" or "Domain" or "Infrastructure" => Named("our code"),
            _ when module.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) => Named("Kestrel/middleware"),
            _ => null,
        };
    }

    /// <summary>"Module!Namespace.Type.Method(args)" as "Type.Method".</summary>
    private static string ShortName(string frame)
    {
        var name = frame[(frame.IndexOf('!', StringComparison.Ordinal) + 1)..];
        var paren = name.IndexOf('(', StringComparison.Ordinal);
        if (paren > 0)
            name = name[..paren];
        var parts = name.Split('.');
        return parts.Length <= 2 ? name : string.Join('.', parts[^2..]);
    }

    public static string Percent(double share) => (100 * share).ToString("F0", CultureInfo.InvariantCulture);
}
