using System.Globalization;

namespace Bench.Report;

/// <summary>
/// Issue 13's part of RESULTS.md ("fast when the store misses"): its targets, the API's start-up, and where the time
/// of each store-missed scenario goes (pg_stat_statements and the CPU samples).
/// </summary>
internal static class Issue13
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The store-missed scenarios, profiled; those run.sh calls with PROFILE=1 have CPU samples too.</summary>
    public static readonly string[] Missed =
    [
        "id-miss", "slug-uncached", "list-p1-miss", "list-p50-miss", "rest-tag-miss", "odata-tag3-miss", "odata-tag-miss",
        "odata-expand-miss", "mixed-miss",
    ];

    public static IEnumerable<string> Targets(RunResults run, IReadOnlyList<string> apiScenarios)
    {
        yield return "| target | measured | verdict |";
        yield return "|---|---|---|";
        yield return Report.TargetRow(run, "article by id, store missed ≥ 0.5 × RawNpgsql by primary key (prepared)", "id-miss", "raw-pk", 0.5);
        yield return Report.TargetRow(run, "article by slug, store missed ≥ 0.5 × RawNpgsql by primary key (prepared)", "slug-uncached", "raw-pk", 0.5);
        yield return Report.TargetRow(run, "20 newest by tag, REST, store missed ≥ 0.8 × RawNpgsql's same list (prepared)", "rest-tag-miss", "raw-rest-tag", 0.8);
        yield return Report.TargetRow(run, "OData 3-field tag page, store missed ≥ 0.5 × RawNpgsql 3-column tag list (prepared)", "odata-tag3-miss", "raw-tag3", 0.5);
        var count = run.Line("odata-tag-miss");
        var countP99 = count?.Value("p99_ms");
        yield return $"| OData 3-field tag page with `$count=true`, store missed: p99 < 50 ms at {run.Fact("n_articles")} articles " +
            $"| p99 {Report.Dash(count?.Number("p99_ms"))} ms ({Report.Dash(count?.Number("rps"))} req/s) " +
            $"| {Report.Verdict(count is null ? null : countP99 < 50)} |";

        var peaks = apiScenarios.Where(s => run.Line(s) is not null)
            .Select(s => (Name: s, Kb: Report.Parse(run.Meta(s, 2)))).Where(p => p.Kb > 0).ToList();
        var hwm = Report.Parse(run.Fact("api_hwm_kb"));
        var highest = peaks.OrderByDescending(p => p.Kb).FirstOrDefault();
        var highestMb = Math.Max(highest.Kb, hwm) * 1024 / 1e6;
        var mixed = run.Meta("mixed-miss", 2);
        yield return $"| peak memory < 300 MB in every scenario, the mixed one too | highest sampled RSS {Report.Megabytes(highest.Kb.ToString(Invariant))} MB ({highest.Name ?? "—"}); " +
            $"mixed-miss {Report.Dash(mixed == "" ? "" : Report.Megabytes(mixed))} MB; VmHWM at the end {Report.Megabytes(run.Fact("api_hwm_kb"))} MB " +
            $"| {Report.Verdict(peaks.Count == 0 ? null : highestMb < 300)} |";

        var lines = apiScenarios.Select(run.Line).OfType<ScenarioLine>().ToList();
        var errors = lines.Sum(l => (long)l.Value("errors"));
        yield return $"| 0 errors | {errors} in {lines.Count} API scenarios | {Report.Verdict(lines.Count == 0 ? null : errors == 0)} |";
        yield return Report.TargetRow(run, "store hit keeps its ratio: article by slug ≥ 0.7 × FixedJson (issue 5's target; 0.75 × in the last committed run)", "slug-cached", "fixed-json", 0.7);
        var hits = string.Join(", ", ((string[])["list-p1", "list-p50", "odata-tag", "pledge-current"])
            .Where(s => run.Line(s) is not null)
            .Select(s => $"{s} {Report.Ratio(run.Line(s)!.Number("rps"), run.Line("fixed-json")?.Number("rps"))} ×"));
        if (hits != "")
            yield return $"| other store hits, × FixedJson (for comparison with earlier runs) | {hits} | — |";

        var ready = run.FactNumber("startup_ready_ms");
        yield return $"| start-up: process start → /health/ready < 3 s | {(ready == 0 ? "—" : $"{(ready / 1000.0).ToString("F2", Invariant)} s")} | {Report.Verdict(ready == 0 ? null : ready < 3000)} |";
        var first = run.Line("startup-first-1000");
        var warm = run.Line("startup-mix");
        var factor = first is null || warm is null || warm.Value("p99_ms") == 0 ? (double?)null : first.Value("p99_ms") / warm.Value("p99_ms");
        yield return $"| start-up: p99 of the first {run.Fact("startup_requests")} requests < 10 × the warmed p99 (same store-missed mix) " +
            $"| {Report.Dash(first?.Number("p99_ms"))} ms / {Report.Dash(warm?.Number("p99_ms"))} ms = {(factor is { } f ? f.ToString("F1", Invariant) : "—")} × " +
            $"| {Report.Verdict(factor is null ? null : factor < 10)} |";
    }

    public static IEnumerable<string> Startup(RunResults run)
    {
        var ready = run.FactNumber("startup_ready_ms");
        var first = run.Line("startup-first-1000");
        var warm = run.Line("startup-mix");
        yield return $"- **ready in {(ready == 0 ? "—" : (ready / 1000.0).ToString("F2", Invariant))} s**: from starting `dotnet Api.dll` (pinned to the server CPU) to the first 200 of `/health/ready` (polled every 50 ms).";
        if (first is not null)
            yield return $"- **first {first.Number("requests")} requests** (wrk started the moment the API was ready, {run.Fact("connections")} connections, stopped after {run.Fact("startup_requests")} responses; a store-missed mix of articles by slug and by id, list pages, the REST and OData tag lists, a new Host each request): p50 {first.Number("p50_ms")} ms, **p99 {first.Number("p99_ms")} ms**, max {first.Number("max_ms")} ms, {first.Number("errors")} errors (besides the {Report.Dash(first.Number("timeouts_at_stop"))} requests still in flight when wrk stopped, which it counts as timeouts), in {first.Number("duration_s")} s.";
        if (warm is not null)
            yield return $"- the same mix warm (scenario startup-mix, after the warm-ups): p50 {warm.Number("p50_ms")} ms, **p99 {warm.Number("p99_ms")} ms**, {warm.Number("rps")} req/s" +
                (first is null || warm.Value("p99_ms") == 0 ? "." : $": first-{run.Fact("startup_requests")} p99 / warmed p99 = **{(first.Value("p99_ms") / warm.Value("p99_ms")).ToString("F1", Invariant)} ×**.");
    }

    public static IEnumerable<string> Profiles(RunResults run, long clockTicks)
    {
        var measured = Missed.Concat(["raw-pk", "raw-slug", "raw-rest-tag", "raw-tag3", "raw-tag"]).Where(s => run.Line(s) is not null).ToList();
        if (measured.Count == 0)
            yield break;
        yield return "Per request, in the scenario's measured period. *API CPU* and *PG CPU*: ms of CPU of the server process and of all PostgreSQL processes (/proc). " +
            "*Statements*, *plan*, *exec*: from `pg_stat_statements` (reset before the measured period, read after it; `track_planning` on): statements per request, and ms of planning and of execution per request as PostgreSQL times them (wall clock inside the backend: on the shared core it includes waiting for the CPU). " +
            $"The buckets: the API's CPU samples ({run.Fact("profile_seconds")} s of EventPipe stack sampling with `dotnet-trace collect` after the measured period, under the same load), each sample of a running managed thread in the component nearest its leaf (the base library's frames count for their caller), as ms per request (share × API CPU) and % of the samples.";
        yield return "";
        var header = "| scenario | req/s | API CPU | PG CPU | statements | plan | exec | " + string.Join(" | ", CpuProfile.BucketNames) + " |";
        yield return header;
        yield return "|---|---:|---:|---:|---:|---:|---:|" + string.Concat(CpuProfile.BucketNames.Select(_ => "---:|"));
        var details = new List<string>();
        foreach (var name in measured)
        {
            var line = run.Line(name)!;
            var requests = Math.Max(1, line.Value("requests"));
            var apiMs = 1000 * Report.Parse(run.Meta(name, 7)) / clockTicks / requests;
            var pgMs = 1000 * Report.Parse(run.Meta(name, 8)) / clockTicks / requests;
            var statements = run.Statements(name);
            var profile = run.Profile(name);
            string F(double v, string format = "F2") => v.ToString(format, Invariant);
            var cells = profile is null || profile.CpuMs == 0
                ? CpuProfile.BucketNames.Select(_ => "—")
                : profile.Buckets.Select(b => $"{F(b.Exclusive * apiMs)} ({CpuProfile.Percent(b.Exclusive)} %)");
            yield return $"| {name} | {line.Number("rps")} | {F(apiMs)} | {F(pgMs)} | {(statements.Count == 0 ? "—" : F(statements.Sum(s => s.Calls) / requests, "F1"))} " +
                $"| {(statements.Count == 0 ? "—" : F(statements.Sum(s => s.PlanMs) / requests, "F3"))} | {(statements.Count == 0 ? "—" : F(statements.Sum(s => s.ExecMs) / requests, "F3"))} | {string.Join(" | ", cells)} |";

            details.Add($"**{name}**");
            details.Add("");
            foreach (var s in statements.Take(4))
                details.Add($"- SQL ×{F(s.Calls / requests)}/request, plan {F(s.PlanMs / Math.Max(1, s.Calls), "F3")} ms, exec {F(s.ExecMs / Math.Max(1, s.Calls), "F3")} ms, {F(s.Rows / Math.Max(1, s.Calls), "F1")} rows: `{Shorten(s.Query, 150)}`");
            if (profile is { CpuMs: > 0 })
            {
                details.Add($"- inclusive (a component anywhere on the stack): {string.Join(", ", profile.Buckets.Where(b => b.Inclusive >= 0.01).Select(b => $"{b.Bucket} {CpuProfile.Percent(b.Inclusive)} %"))}");
                details.Add($"- hottest methods (exclusive): {string.Join(", ", profile.TopMethods.Select(m => $"`{Shorten(m.Method, 70)}` {CpuProfile.Percent(m.Share)} %"))}");
            }
            details.Add("");
        }
        yield return "";
        yield return "The costliest statements per scenario (pg_stat_statements, by total time) and the profile's detail:";
        yield return "";
        foreach (var d in details)
            yield return d;
    }

    private static string Shorten(string text, int max) =>
        (text.Length <= max ? text : text[..max] + " …").Replace("`", "'", StringComparison.Ordinal).Replace("|", "\\|", StringComparison.Ordinal);
}
