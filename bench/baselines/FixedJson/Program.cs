// Baseline (a) of bench/run.sh: a bare Kestrel minimal app that answers every GET /fixed with the same ~2 KB JSON
// body, built once at start-up. It measures what the web server itself can do on one core; the cached
// article-by-slug scenario of the API is compared with it.
using System.Text;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();

var body = Encoding.UTF8.GetBytes(FixedBody.Build());

app.MapGet("/fixed", () => Results.Bytes(body, "application/json; charset=utf-8"));
app.MapGet("/health", () => Results.Text("ok"));
app.Run();

internal static class FixedBody
{
    /// <summary>An article-like JSON document of about 2 KB (Swedish text, so multi-byte UTF-8 like the real thing).</summary>
    public static string Build()
    {
        var sb = new StringBuilder();
        sb.Append("{\"id\":\"778ae3b9-fc26-4969-8f6b-b8a793a4632e\",\"slug\":\"tekniska-forvaltningen-planerar-nya-cykelbanor-i-centrum-1\",");
        sb.Append("\"title\":\"Tekniska förvaltningen planerar nya cykelbanor i centrum\",");
        sb.Append("\"lead\":\"Tekniska förvaltningen planerar nya cykelbanor i centrum. Arbetet sker i nära samverkan med invånare, föreningar och näringsliv.\",");
        sb.Append("\"tags\":[\"trafik\",\"vägarbete\"],\"status\":\"Published\",\"publishedAt\":\"2026-11-25T17:11:02.000784Z\",\"updatedAt\":\"2026-11-25T17:11:02.000784Z\",");
        sb.Append("\"body\":[");
        var texts = new[]
        {
            "Mer information finns på kommunens webbplats och i kontaktcenter. Satsningen finansieras delvis med statliga medel.",
            "Syftet är att göra Sölvesborg till en ännu bättre plats att bo, verka och vistas i.",
            "Under perioden kan framkomligheten vara begränsad i området. Arbetet beräknas vara klart under hösten.",
            "Alla som vill lämna synpunkter är välkomna att höra av sig till kommunen.",
        };
        var i = 0;
        while (Encoding.UTF8.GetByteCount(sb.ToString()) < 1850)
        {
            if (i > 0) sb.Append(',');
            sb.Append("{\"type\":\"Paragraph\",\"text\":\"").Append(texts[i % texts.Length]).Append("\"}");
            i++;
        }
        sb.Append("],\"contacts\":[{\"name\":\"Erik Nilsson\",\"phone\":\"+46456816012\",\"phoneDisplay\":\"0456-81 60 12\"}],\"pledge\":null}");
        return sb.ToString();
    }
}
