using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Bench.Report;

/// <summary>RESULTS.md: the targets, a table per server, the script's observations and the query plans.</summary>
public static class Report
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private static readonly string[] ApiScenarios =
    [
        "startup-first-1000", "slug-cached", "slug-uncached", "id-miss", "list-p1", "list-p50", "odata-tag", "list-p1-miss",
        "list-p50-miss", "rest-tag-miss", "odata-tag3-miss", "odata-tag-miss", "odata-expand-miss", "odata-apply-miss",
        "odata-tagmonths-miss", "search-common-miss", "search-rare-miss", "search-phrase-miss", "search-common-miss-32",
        "mixed-miss", "startup-mix", "pledge-current", "photo-rendition", "slug-304-after-fill", "slug-304",
    ];

    public static string Render(RunResults run)
    {
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');
        var clockTicks = Math.Max(1, run.FactNumber("clk_tck"));

        string Row(string name, string label, string? baseline = null, string? baselineLabel = null)
        {
            var line = run.Line(name);
            if (line is null)
                return $"| {label} | — | — | — | — | {run.Meta(name, 5)} | — | — | — | {baselineLabel ?? "—"} | — | — |";
            var ratio = baseline is null ? "" : Ratio(line.Number("rps"), run.Line(baseline)?.Number("rps"));
            return $"| {label} | {line.Number("rps")} | {line.Number("p50_ms")} | {line.Number("p99_ms")} | {line.Number("errors")} " +
                $"| {line.Statuses()} | {Megabytes(run.Meta(name, 2))} | {CpuCell(run, name, line, clockTicks)} " +
                $"| {baselineLabel ?? "—"} | {Dash(ratio)} | {run.Meta(name, 4)} % |";
        }

        string TargetRow(string text, string api, string baseline, double minimum, double p99Limit = 0) =>
            Report.TargetRow(run, text, api, baseline, minimum, p99Limit);

        var scenarios = ApiScenarios.Select(run.Line).OfType<ScenarioLine>().ToList();
        var apiErrors = scenarios.Sum(l => (long)l.Value("errors"));
        var apiMegabytes = Megabytes(run.Fact("api_hwm_kb"));
        bool? memoryMet = run.FactNumber("api_hwm_kb") == 0 ? null : Parse(apiMegabytes) < 300;
        var warmups = string.Join(", ", run.FactList("server_warmups").Select(w => $"{w.Name}: {w.Value} s"));
        var total = run.FactNumber("total_seconds");

        Line("# HTTP benchmark: the API against a bare-Kestrel and a raw-Npgsql baseline");
        Line();
        Line("Measured by `bench/run.sh` and written by `bench/report` from its results (one command; see the Benchmark section of README.md). Do not edit by hand.");
        Line();
        Line($"- date: {run.Fact("started_at")}; whole run **{total / 60} min {total % 60} s** (build {run.Fact("build_seconds")} s, data generation {run.Fact("gen_seconds")} s in parallel with the baseline builds, benchmarks {run.Fact("bench_seconds")} s)");
        Line($"- machine: nproc={run.Fact("nproc")}, CPU: {run.Fact("cpu_model")}, RAM: {run.Fact("ram")}, {run.Fact("os")}, .NET SDK {run.Fact("dotnet_sdk")}, PostgreSQL {run.Fact("pg_version")} (default settings, e.g. shared_buffers 128 MB); loadavg before the benchmarks {run.Fact("load_before")}, after {run.Fact("load_after")}");
        Line($"- API built from the {run.Fact("source")}; `ASPNETCORE_ENVIRONMENT=Production`; connection string `{run.Fact("connection")}` (the same for RawNpgsql)");
        Line($"- data: `seed-demo` then `generate-articles {run.Fact("articles")}`, then `VACUUM ANALYZE`: {run.Fact("n_articles")} articles, {run.Fact("n_published")} published");
        Line($"- load: wrk 4.1 (1 thread, {run.Fact("connections")} connections, timeout {run.Fact("wrk_timeout")}) pinned to CPU {run.Fact("client_cpu")}; the server under test **and PostgreSQL** (postmaster and every backend) pinned to CPU {run.Fact("server_cpu")}; each freshly started server first gets a warm-up load ({warmups}: on one pinned core .NET's tiered compilation needs 30-120 s of load to settle, longest for the code of cache misses (OData most)), then per scenario {run.Fact("warmup")} s warm-up, a pause until the server CPU is idle, and **{run.Fact("duration")} s measured** (`SERVER_WARMUP={run.Fact("server_warmup")} MISS_WARMUP={run.Fact("miss_warmup")} RAW_WARMUP={run.Fact("raw_warmup")} WARMUP={run.Fact("warmup")} DURATION={run.Fact("duration")}`). One server runs at a time.");
        Line($"- uncached article by slug: every published slug ({run.Fact("n_slugs")}) in a fixed pseudo-random order (`order by md5(id)`); the measured period continues where the warm-up stopped, so no slug is asked twice until {run.Fact("n_slugs")} requests have been made (an output cache cannot answer them). The cached scenario asks for one slug (`{run.Fact("cached_slug")}`) over and over.");
        Line("- errors = wrk's socket errors (connect/read/write/timeout) + responses with status ≥ 400, i.e. everything that is not 2xx/3xx. Memory in MB = 10^6 bytes.");
        Line();
        Line("## Targets of issue 13 (fast when the store misses)");
        Line();
        Line("Store missed = the read path runs: rotating articles asked once each, or a new `Host` header each request (the store keys on it). RawNpgsql prepares every statement (Max Auto Prepare).");
        Line();
        foreach (var row in Issue13.Targets(run, ApiScenarios))
            Line(row);
        Line();
        Line("## Targets of issue 16 (search)");
        Line();
        Line("One search at a time (1 connection), store missed: the latency of a search on the pinned core.");
        Line();
        Line("| target | measured | verdict |");
        Line("|---|---|---|");
        foreach (var (name, text) in new[] { ("search-common-miss", "a common word"), ("search-rare-miss", "a rarer word"), ("search-phrase-miss", "a two-word phrase") })
        {
            var p99 = run.Line(name)?.Number("p99_ms");
            Line($"| search for {text}, p99 < 50 ms | {Dash(p99)} ms (p50 {Dash(run.Line(name)?.Number("p50_ms"))} ms) | {Verdict(string.IsNullOrEmpty(p99) ? null : Parse(p99) < 50)} |");
        }
        Line();
        Line("## Start-up");
        Line();
        foreach (var row in Issue13.Startup(run))
            Line(row);
        Line();
        Line("## Where the time goes, per store-missed scenario");
        Line();
        foreach (var row in Issue13.Profiles(run, clockTicks))
            Line(row);
        Line();
        Line("## Targets of issue 5 (the first benchmark)");
        Line();
        Line("RawNpgsql prepares its statements since issue 13: its baselines are stricter than when these targets were set.");
        Line();
        Line("| target | measured | verdict |");
        Line("|---|---|---|");
        Line(TargetRow("cached article by slug ≥ 0.7 × FixedJson req/s", "slug-cached", "fixed-json", 0.7));
        Line(TargetRow("uncached article by slug ≥ 0.8 × RawNpgsql by key", "slug-uncached", "raw-slug", 0.8));
        Line(TargetRow("OData tag query ≥ 0.8 × RawNpgsql equivalent, p99 < 50 ms — as served (one URL, so the output cache answers)", "odata-tag", "raw-tag", 0.8, 50));
        Line(TargetRow("OData tag query ≥ 0.8 × RawNpgsql equivalent, p99 < 50 ms — output cache missed (a new `Host` each request)", "odata-tag-miss", "raw-tag", 0.8, 50));
        Line($"| zero errors | {apiErrors} errors in {scenarios.Count} API scenarios | {Verdict(scenarios.Count == 0 ? null : apiErrors == 0)} |");
        Line($"| API peak memory < 300 MB | {apiMegabytes} MB (VmHWM of the API process at the end of all its scenarios) | {Verdict(memoryMet)} |");
        Line();
        Line("## The API, per scenario");
        Line();
        Line("Latencies in ms. *RSS*: the API's largest resident set, sampled twice a second during the measured period (MB).");
        Line("*CPU/request*: ms of CPU per request, the server process + PostgreSQL (both on the server CPU). *Other*: share of the server CPU taken by anything else (other processes on the machine, interrupts) — high values mean the run was disturbed.");
        Line("*Ratio*: the API's req/s over its baseline's. *wrk*: CPU use of the load generator on its own core (far below 100 %: it is not the bottleneck).");
        Line();
        Line("| scenario | req/s | p50 | p99 | errors | statuses | RSS MB | CPU/request ms | other | baseline | ratio | wrk |");
        Line("|---|---:|---:|---:|---:|---|---:|---:|---:|---|---:|---:|");
        Line(Row("slug-cached", "article by slug, cached (one slug)", "fixed-json", "FixedJson"));
        Line(Row("slug-uncached", "article by slug, uncached (rotating slugs)", "raw-slug", "RawNpgsql by slug"));
        Line(Row("id-miss", "article by id, store missed (rotating ids)", "raw-pk", "RawNpgsql by primary key"));
        Line(Row("list-p1", "article list, page 1 (as served: output cache)", "raw-list-p1", "RawNpgsql list p1"));
        Line(Row("list-p50", "article list, page 50 (as served: output cache)", "raw-list-p50", "RawNpgsql list p50"));
        Line(Row("odata-tag", "OData tag query (as served: output cache)", "raw-tag", "RawNpgsql tag query"));
        Line(Row("list-p1-miss", "article list, page 1, cache missed", "raw-list-p1", "RawNpgsql list p1"));
        Line(Row("list-p50-miss", "article list, page 50, cache missed", "raw-list-p50", "RawNpgsql list p50"));
        Line(Row("rest-tag-miss", "20 newest by tag, REST, store missed", "raw-rest-tag", "RawNpgsql REST tag list"));
        Line(Row("odata-tag3-miss", "OData 3-field tag page, store missed (no $count)", "raw-tag3", "RawNpgsql 3-column tag list"));
        Line(Row("odata-tag-miss", "OData tag query, cache missed", "raw-tag", "RawNpgsql tag query"));
        Line(Row("odata-expand-miss", "OData 20 newest, $expand=heroPhoto,contacts, store missed"));
        Line(Row("odata-apply-miss", "OData $apply: articles per tag per month (ArticleTags), store missed"));
        Line(Row("odata-tagmonths-miss", "OData TagMonths: articles per tag per month from the kept counts, store missed"));
        Line(Row("search-common-miss", "search, a common word (`kommunen`), store missed, 1 connection"));
        Line(Row("search-rare-miss", "search, a rarer word (`simskola`), store missed, 1 connection"));
        Line(Row("search-phrase-miss", "search, a phrase (`\"öppet hus\"`), store missed, 1 connection"));
        Line(Row("search-common-miss-32", "search, a common word, store missed, 32 connections"));
        Line(Row("mixed-miss", "mixed, store missed, with the most expensive OData queries (memory)"));
        Line(Row("startup-first-1000", "the first requests after start-up (store-missed mix; see Start-up)"));
        Line(Row("startup-mix", "the start-up mix, warm"));
        Line(Row("pledge-current", "current pledge"));
        Line(Row("photo-rendition", "photo rendition (320 px WebP)"));
        Line(Row("slug-304-after-fill", "article by slug, If-None-Match → 304, after the cache-miss scenarios filled the output cache"));
        Line(Row("slug-304", "article by slug, If-None-Match → 304, article in the output cache"));
        Line();
        Line($"The OData query: `GET {Uri.UnescapeDataString(run.Fact("odata_path"))}`; without `$count`: `GET {Uri.UnescapeDataString(run.Fact("odata3_path"))}`; the `$expand` one: `GET {Uri.UnescapeDataString(run.Fact("expand_path"))}`; the REST tag list: `GET {run.Fact("rest_tag_path")}`. wrk sends no Accept-Encoding, so no answer is compressed.");
        Line();
        Line($"The mixed scenario rotates over these paths (count × path; … = a different article each time): {run.Fact("mixed_paths").Replace("|", "\\|", StringComparison.Ordinal)}.");
        Line();
        Line("## Baselines");
        Line();
        Line("| scenario | req/s | p50 | p99 | errors | statuses | RSS MB | CPU/request ms | other | | | wrk |");
        Line("|---|---:|---:|---:|---:|---|---:|---:|---:|---|---:|---:|");
        var fixedBytes = run.Fact("fixed_json_bytes");
        Line(Row("fixed-json", $"FixedJson: a fixed {(fixedBytes == "" ? "~2000" : fixedBytes)}-byte JSON"));
        Line(Row("raw-slug", "RawNpgsql: article by slug (rotating slugs)"));
        Line(Row("raw-pk", "RawNpgsql: article by primary key, one cheap select, columns as JSON (the database's limit)"));
        Line(Row("raw-list-p1", "RawNpgsql: article list, page 1 (+ count)"));
        Line(Row("raw-list-p50", "RawNpgsql: article list, page 50 (+ count)"));
        Line(Row("raw-rest-tag", "RawNpgsql: 20 newest by tag, REST list items + total"));
        Line(Row("raw-tag", "RawNpgsql: tag query + count"));
        Line(Row("raw-tag3", "RawNpgsql: 3-column tag list, no count (the database's limit)"));
        Line();
        Line("Peak memory (VmHWM) of each server process at its end: " +
            string.Join("; ", run.FactList("server_hwm_kb").Select(h => $"{h.Name} {Megabytes(h.Value)} MB")));
        Line();
        Line("## Observations made by the script");
        Line();
        foreach (var note in run.Notes)
            Line($"- {note}");
        foreach (var observation in Observations(run, clockTicks))
            Line($"- {observation}");
        Line();
        var apiPlans = ApiPlans(run.ApiPlansLog);
        Line($"## Query plans on the {run.Fact("n_articles")}-article table");
        Line();
        Line($"Seq Scan on articles: **{CountLines(run.PsqlPlans, "Seq Scan on articles")}** in the hand-written queries, **{CountLines(run.ApiPlansLog, "Seq Scan on articles")}** in the API's own SQL ({apiPlans.Count(l => l.StartsWith("-- ", StringComparison.Ordinal))} statements caught).");
        Line();
        Line("### The hand-written SQL of RawNpgsql (`EXPLAIN (ANALYZE, COSTS OFF)` via psql, first lines)");
        Line();
        Line("```");
        foreach (var line in PsqlPlans(run.PsqlPlans))
            Line(line);
        Line("```");
        Line();
        Line("### The API's own SQL (auto_explain, one request each to article by slug, list page 1 and 50, the OData query, the current pledge; first execution on a new connection, so durations are cold)");
        Line();
        Line("```");
        foreach (var line in apiPlans)
            Line(line);
        Line("```");
        Line();
        Line("Raw data: `bench/out/results.jsonl` (one JSON line per measured scenario), `bench/out/meta.tsv`, `bench/out/facts.tsv`, `bench/out/explain-psql.txt`, `bench/out/api-plans.log`, server logs `bench/out/server-*.log` (bench/out is not committed).");
        return md.ToString();
    }

    private static IEnumerable<string> Observations(RunResults run, long clockTicks)
    {
        var refill = run.Line("slug-304-after-fill");
        var postgresTicks = run.Meta("slug-304-after-fill", 8);
        if (refill is not null && postgresTicks != "")
        {
            var requests = refill.Value("requests");
            var postgresMs = requests > 0 ? 1000 * Parse(postgresTicks) / clockTicks / requests : 0;
            var ms = postgresMs.ToString("F2", Invariant);
            yield return Parse(ms) >= 0.05
                ? $"revalidation after the output cache filled up: the conditional GETs cost {ms} ms of PostgreSQL per request: the article's entry had been let go for room, and the first conditional GET makes the answer and stores it whole, so this should be one request's worth spread over all of them; a higher figure means the entry kept being let go ({refill.Number("rps")} req/s, against {run.Line("slug-304")?.Number("rps") ?? ""} req/s with the article surely in the cache)"
                : $"revalidation after the output cache filled up: answered from the cache after the first conditional GET stored the article again ({ms} ms of PostgreSQL per request)";
        }
        var slugs = run.FactNumber("n_slugs");
        foreach (var name in (string[])["slug-uncached", "raw-slug"])
        {
            if (run.Line(name) is not { } line)
                continue;
            var asked = (long)(line.Value("start") + line.Value("issued"));
            yield return asked <= slugs
                ? $"{name}: {asked} slugs asked for in warm-up + measured period, out of {slugs}: none twice"
                : $"{name}: {asked} requests in warm-up + measured period for {slugs} slugs: the list wrapped around, some slugs were asked twice";
        }
    }

    /// <summary>ms of CPU per request of the server process and of PostgreSQL, and the share of the server CPU others took.</summary>
    private static string CpuCell(RunResults run, string name, ScenarioLine line, long clockTicks)
    {
        var server = run.Meta(name, 7);
        var requests = line.Value("requests");
        if (server == "" || requests == 0)
            return "— | —";
        var duration = line.Value("duration_s");
        var perRequest = (string column) => (1000 * Parse(column) / clockTicks / requests).ToString("F2", Invariant);
        var other = duration > 0 ? 100 * Parse(run.Meta(name, 9)) / clockTicks / duration : 0;
        return $"{perRequest(server)} + {perRequest(run.Meta(name, 8))} | {other.ToString("F0", Invariant)} %";
    }

    /// <summary>The first lines (up to 8) of each plan psql printed, under its "-- name" line.</summary>
    private static IEnumerable<string> PsqlPlans(string text)
    {
        var n = 0;
        foreach (var line in text.Split('\n').SkipLast(1))
        {
            if (line.StartsWith("-- ", StringComparison.Ordinal))
            {
                n = 0;
                yield return line;
            }
            else if (!(line.Contains("QUERY PLAN") || Regex.IsMatch(line, "^-+$") || line.StartsWith('(')) && n++ < 8)
                yield return line;
        }
    }

    private static readonly Regex PlanLine = new(@"^[^ ].*  \(cost=[0-9]");

    /// <summary>
    /// auto_explain entries whose SQL reads articles or pledges: the duration, the SQL's first 160 characters, the
    /// plan's first 8 lines.
    /// </summary>
    private static List<string> ApiPlans(string log)
    {
        var output = new List<string>();
        string? duration = null;
        var query = new StringBuilder();
        var plan = new List<string>();
        var inPlan = false;
        void Flush()
        {
            var q = Regex.Replace(query.ToString(), "  +", " ");
            if (duration is not null && Regex.IsMatch(q, "(articles|pledges) AS"))
            {
                output.Add($"-- {duration}: {q.Substring(1, Math.Min(160, q.Length - 1))}{(q.Length > 161 ? " …" : "")}");
                output.AddRange(plan.Take(8));
            }
            duration = null;
        }
        foreach (var line in log.Split('\n'))
        {
            var entry = Regex.Match(line, @"LOG:  duration: (\S+) ms .*plan:");
            if (entry.Success)
            {
                Flush();
                duration = entry.Groups[1].Value + " ms";
                query.Clear();
                plan.Clear();
                inPlan = false;
            }
            else if (line.StartsWith('\t') && duration is not null)
            {
                var text = line[1..];
                inPlan |= PlanLine.IsMatch(text);
                if (inPlan)
                    plan.Add(text);
                else
                    query.Append(' ').Append(Regex.Replace(text, "^Query Text: ", "").TrimStart(' '));
            }
            else
                Flush();
        }
        Flush();
        return output;
    }

    private static int CountLines(string text, string what) => text.Split('\n').Count(l => l.Contains(what, StringComparison.Ordinal));

    internal static string TargetRow(RunResults run, string text, string api, string baseline, double minimum, double p99Limit = 0)
    {
        var a = run.Line(api);
        var b = run.Line(baseline);
        var ratio = Ratio(a?.Number("rps"), b?.Number("rps"));
        var p99 = a?.Number("p99_ms") ?? "";
        bool? met = ratio == "" ? null
            : Parse(ratio) >= minimum && (p99Limit == 0 || Parse(p99) < p99Limit);
        var measured = $"{Dash(ratio)} × ({Dash(a?.Number("rps"))} vs {Dash(b?.Number("rps"))} req/s)";
        if (p99Limit > 0)
            measured += $", p99 {Dash(p99)} ms";
        return $"| {text} | {measured} | {Verdict(met)} |";
    }

    internal static double Parse(string text) => double.TryParse(text, NumberStyles.Float, Invariant, out var v) ? v : 0;

    internal static string Ratio(string? a, string? b) =>
        string.IsNullOrEmpty(a) || string.IsNullOrEmpty(b) || Parse(b) == 0 ? "" : (Parse(a) / Parse(b)).ToString("F2", Invariant);

    internal static string Megabytes(string kilobytes) => (Parse(kilobytes) * 1024 / 1e6).ToString("F0", Invariant);

    internal static string Dash(string? text) => string.IsNullOrEmpty(text) ? "—" : text;

    internal static string Verdict(bool? met) => met switch { true => "**met**", false => "**missed**", null => "not measured" };
}
