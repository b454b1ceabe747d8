// Writes bench/RESULTS.md from what bench/run.sh measured, so the script measures and this program reports.
//
//   dotnet bench/out/BenchReport/BenchReport.dll bench/out bench/RESULTS.md     (run.sh does this at its end)
//   dotnet run --project bench/report -- bench/out bench/RESULTS.md        (again, from a kept bench/out)
//   dotnet bench/out/BenchReport/BenchReport.dll scale bench/out/scale bench/RESULTS.md   (bench/scale.sh does this)
//
// It reads, in the folder given (bench/out):
//   facts.tsv        one "key<TAB>value" line per fact of the run (machine, settings, data, durations), written by run.sh;
//   results.jsonl    one JSON line per measured scenario, written by bench/wrk/scenario.lua;
//   meta.tsv         one line per scenario: name, peak RSS kB, VmHWM kB, wrk CPU %, note, server CPU busy %,
//                    server process ticks, PostgreSQL ticks, other ticks (written by run.sh's scenario());
//   notes.txt        the script's observations, one a line;
//   explain-psql.txt the plans of the hand-written queries; api-plans.log the auto_explain log of the API's own SQL.
using Bench.Report;

// Everything from this line on in RESULTS.md is kept when the file is written again: the scale section and sections
// measured by other scripts (bench/webhooks.sh, bench/sync-delta.sh).
const string Kept = "<!-- Below: sections from other scripts (bench/scale.sh, bench/webhooks.sh, bench/sync-delta.sh); bench/report keeps them. -->";

switch (args)
{
    case [var folder, var target]:
        var kept = File.Exists(target) ? File.ReadAllText(target) : "";
        var keptAt = kept.IndexOf(Kept, StringComparison.Ordinal);
        var report = Report.Render(RunResults.Load(folder));
        File.WriteAllText(target, keptAt < 0 ? report : report.TrimEnd() + "\n\n" + kept[keptAt..]);
        break;
    case ["scale", var folder, var target]:
        // bench/scale.sh's folder has one run.sh result folder per size, named by its number of articles.
        var runs = Directory.GetDirectories(folder)
            .Select(d => (Articles: long.TryParse(Path.GetFileName(d), out var n) ? n : 0, Dir: d))
            .Where(r => r.Articles > 0).Select(r => (r.Articles, RunResults.Load(r.Dir))).ToList();
        if (runs.Count == 0)
        {
            Console.Error.WriteLine($"no results in {folder}");
            return 1;
        }
        var document = File.Exists(target) ? File.ReadAllText(target) : "";
        if (!document.Contains(Kept, StringComparison.Ordinal))
            document = document.TrimEnd() + "\n\n" + Kept + "\n";
        File.WriteAllText(target, Scale.Replace(document, Scale.Render(runs)));
        break;
    default:
        Console.Error.WriteLine("""
            usage: BenchReport <folder of bench/run.sh's results, e.g. bench/out> <RESULTS.md to write>
                   BenchReport scale <folder with one results folder per size, e.g. bench/out/scale> <RESULTS.md>
            """);
        return 2;
}
Console.Error.WriteLine($"wrote {args[^1]}");
return 0;
