using System.Globalization;
using System.Text;

namespace Bench.Report;

/// <summary>
/// The scale mode's section of RESULTS.md: every API read scenario measured at each size (bench/scale.sh runs
/// bench/run.sh once per size and keeps each run's results in bench/out/scale/&lt;articles&gt;), side by side.
/// </summary>
public static class Scale
{
    public const string Begin = "<!-- scale: written by bench/report scale (bench/scale.sh); do not edit by hand -->";
    public const string End = "<!-- /scale -->";

    /// <summary>The issue's target: p99 at the largest size at most this many times p99 at the smallest.</summary>
    private const double P99Limit = 1.5;

    public static string Render(IReadOnlyList<(long Articles, RunResults Run)> runs)
    {
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');
        var sizes = runs.OrderBy(r => r.Articles).ToList();
        var smallest = sizes[0];
        var largest = sizes[^1];
        string Size(long n) => n >= 1_000_000 ? $"{n / 1_000_000}M" : n >= 1_000 ? $"{n / 1_000}k" : $"{n}";

        Line(Begin);
        Line("## Scale: the same reads at " + string.Join(", ", sizes.Select(s => Size(s.Articles))) + " articles");
        Line();
        Line($"Measured by `bench/scale.sh` (one `bench/run.sh` per size, API scenarios only, no CPU profile). Target: p99 at {Size(largest.Articles)} ≤ {P99Limit.ToString(CultureInfo.InvariantCulture)} × p99 at {Size(smallest.Articles)} for every scenario, and the API's memory independent of table size.");
        Line();
        foreach (var (articles, run) in sizes)
            Line($"- {Size(articles)}: {run.Fact("started_at")}, {run.Fact("n_articles")} articles ({run.Fact("n_published")} published), data generated in {run.Fact("gen_seconds")} s, whole run {run.FactNumber("total_seconds") / 60} min; loadavg before {run.Fact("load_before")}; API built from the {run.Fact("source")}");
        Line();
        var header = string.Join(" | ", sizes.Select(s => $"{Size(s.Articles)} p50 / p99 ms | {Size(s.Articles)} peak RSS MB"));
        Line($"| scenario | {header} | p99 {Size(largest.Articles)} ÷ {Size(smallest.Articles)} | errors | target |");
        Line("|---|" + string.Concat(sizes.Select(_ => "---|---|")) + "---|---|---|");
        var missed = new List<string>();
        var names = sizes.SelectMany(s => s.Run.ScenarioNames).Distinct().ToList();
        foreach (var name in names)
        {
            var cells = sizes.Select(s => s.Run.Line(name) is { } line
                ? $"{line.Number("p50_ms")} / {line.Number("p99_ms")} | {Megabytes(s.Run.Meta(name, 2))}"
                : "— | —");
            var first = smallest.Run.Line(name)?.Value("p99_ms") ?? 0;
            var last = largest.Run.Line(name)?.Value("p99_ms") ?? 0;
            var ratio = first > 0 && last > 0 ? last / first : (double?)null;
            var errors = sizes.Sum(s => (long)(s.Run.Line(name)?.Value("errors") ?? 0));
            // No result at the smallest or the largest size (an error, a timeout) is a miss too.
            var met = ratio <= P99Limit && errors == 0 ? "met" : ratio is null ? "**missed** (no result at a size)" : "**missed**";
            if (met != "met")
                missed.Add(name);
            Line($"| {name} | {string.Join(" | ", cells)} | {(ratio is null ? "—" : ratio.Value.ToString("0.00", CultureInfo.InvariantCulture))} | {errors} | {met} |");
        }
        Line();
        Line(missed.Count == 0 ? "Every scenario met the target." : $"Missed: {string.Join(", ", missed)} (see the plans below and README \"Scaling out\").");
        Line();
        Line("API memory over the whole run (VmHWM): " + string.Join(", ", sizes.Select(s => $"{Size(s.Articles)} {Megabytes(s.Run.Fact("api_hwm_kb"))} MB")) + ".");
        Line();
        Line("### Plans of the hand-written queries at each size");
        Line();
        Line("Where a plan changes with size (a sequential scan, a sort that spills, a count), it shows here (`EXPLAIN (ANALYZE, COSTS OFF)`).");
        Line();
        foreach (var (articles, run) in sizes)
        {
            Line($"<details><summary>{Size(articles)} articles</summary>");
            Line();
            Line("```");
            Line(run.PsqlPlans.TrimEnd());
            Line("```");
            Line("</details>");
            Line();
        }
        Line(End);
        return md.ToString();
    }

    /// <summary>
    /// <paramref name="document"/> with its scale section replaced by <paramref name="section"/>, or with the section
    /// added at its end.
    /// </summary>
    public static string Replace(string document, string section)
    {
        var begin = document.IndexOf(Begin, StringComparison.Ordinal);
        var end = document.IndexOf(End, StringComparison.Ordinal);
        if (begin < 0 || end < begin)
            return document.TrimEnd() + "\n\n" + section;
        return document[..begin] + section.TrimEnd('\n') + document[(end + End.Length)..];
    }

    private static string Megabytes(string kilobytes) =>
        long.TryParse(kilobytes, CultureInfo.InvariantCulture, out var kb) && kb > 0
            ? (kb * 1024 / 1_000_000.0).ToString("0", CultureInfo.InvariantCulture) : "—";
}
