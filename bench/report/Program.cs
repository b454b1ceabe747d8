// Writes bench/RESULTS.md from what bench/run.sh measured, so the script measures and this program reports.
//
//   dotnet bench/out/BenchReport/BenchReport.dll bench/out bench/RESULTS.md     (run.sh does this at its end)
//   dotnet run --project bench/report -- bench/out bench/RESULTS.md        (again, from a kept bench/out)
//
// It reads, in the folder given (bench/out):
//   facts.tsv        one "key<TAB>value" line per fact of the run (machine, settings, data, durations), written by run.sh;
//   results.jsonl    one JSON line per measured scenario, written by bench/wrk/scenario.lua;
//   meta.tsv         one line per scenario: name, peak RSS kB, VmHWM kB, wrk CPU %, note, server CPU busy %,
//                    server process ticks, PostgreSQL ticks, other ticks (written by run.sh's scenario());
//   notes.txt        the script's observations, one a line;
//   explain-psql.txt the plans of the hand-written queries; api-plans.log the auto_explain log of the API's own SQL.
using Bench.Report;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: BenchReport <folder of bench/run.sh's results, e.g. bench/out> <RESULTS.md to write>");
    return 2;
}
var results = RunResults.Load(args[0]);
File.WriteAllText(args[1], Report.Render(results));
Console.Error.WriteLine($"wrote {args[1]}");
return 0;
