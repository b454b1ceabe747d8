using System.Globalization;
using System.Text.Json;

namespace Bench.Report;

/// <summary>One measured scenario as scenario.lua wrote it; numbers are kept as written (e.g. "0.650").</summary>
public sealed class ScenarioLine(JsonElement json)
{
    public string Number(string name) => json.TryGetProperty(name, out var v) ? v.GetRawText() : "";

    public double Value(string name) =>
        double.TryParse(Number(name), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0;

    /// <summary>"200×478223, 304×12".</summary>
    public string Statuses() => json.TryGetProperty("statuses", out var s)
        ? string.Join(", ", s.EnumerateObject().Select(p => $"{p.Name}×{p.Value.GetRawText()}"))
        : "";
}

/// <summary>The files bench/run.sh leaves in bench/out, read once.</summary>
public sealed class RunResults
{
    private readonly Dictionary<string, string> _facts = [];
    private readonly Dictionary<string, ScenarioLine> _lines = [];
    private readonly Dictionary<string, string[]> _meta = [];

    public IReadOnlyList<string> Notes { get; private init; } = [];
    public string PsqlPlans { get; private init; } = "";
    public string ApiPlansLog { get; private init; } = "";
    public string Folder { get; private init; } = "";

    public static RunResults Load(string folder)
    {
        string Read(string name) => File.Exists(Path.Combine(folder, name)) ? File.ReadAllText(Path.Combine(folder, name)) : "";
        IEnumerable<string> Lines(string name) => Read(name).Split('\n').Where(l => l.Length > 0);

        var run = new RunResults
        {
            Notes = [.. Lines("notes.txt")],
            PsqlPlans = Read("explain-psql.txt"),
            ApiPlansLog = Read("api-plans.log"),
            Folder = folder,
        };
        foreach (var line in Lines("facts.tsv"))
        {
            var tab = line.IndexOf('\t');
            if (tab > 0)
                run._facts[line[..tab]] = line[(tab + 1)..];
        }
        // The last line of a name wins, as a re-run scenario's.
        foreach (var line in Lines("results.jsonl"))
        {
            using var doc = JsonDocument.Parse(line);
            run._lines[doc.RootElement.GetProperty("name").GetString()!] = new ScenarioLine(doc.RootElement.Clone());
        }
        foreach (var line in Lines("meta.tsv"))
        {
            var cells = line.Split('\t');
            run._meta[cells[0]] = cells;
        }
        return run;
    }

    /// <summary>pg_stat_statements after the scenario's measured period (run.sh's pgss-&lt;name&gt;.tsv), costliest first.</summary>
    public IReadOnlyList<Statement> Statements(string scenario)
    {
        var path = Path.Combine(Folder, $"pgss-{scenario}.tsv");
        if (!File.Exists(path))
            return [];
        double D(string text) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0;
        return [.. File.ReadAllLines(path).Select(l => l.Split('\t', 5)).Where(c => c.Length == 5)
            .Select(c => new Statement(D(c[0]), D(c[1]), D(c[2]), D(c[3]), c[4]))];
    }

    /// <summary>The API's CPU samples taken after the scenario's measured period, if dotnet-trace ran.</summary>
    public CpuProfile? Profile(string scenario) => CpuProfile.Load(Path.Combine(Folder, $"trace-{scenario}.speedscope.json"));

    public string Fact(string key) => _facts.GetValueOrDefault(key, "");

    public long FactNumber(string key) => long.TryParse(Fact(key), CultureInfo.InvariantCulture, out var v) ? v : 0;

    /// <summary>"FixedJson=45,API=45" as pairs.</summary>
    public IEnumerable<(string Name, string Value)> FactList(string key) =>
        Fact(key).Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(item => item.Split('=', 2)).Select(p => (p[0], p.Length > 1 ? p[1] : ""));

    public ScenarioLine? Line(string scenario) => _lines.GetValueOrDefault(scenario);

    /// <summary>The measured scenarios in the order they ran.</summary>
    public IEnumerable<string> ScenarioNames => _lines.Keys;

    /// <summary>Column <paramref name="column"/> (1-based, as in meta.tsv's description) of a scenario's meta line.</summary>
    public string Meta(string scenario, int column) =>
        _meta.TryGetValue(scenario, out var cells) && cells.Length >= column ? cells[column - 1] : "";
}

/// <summary>One line of pg_stat_statements: calls, rows, total planning and execution ms, the normalized SQL.</summary>
public sealed record Statement(double Calls, double Rows, double PlanMs, double ExecMs, string Query);
