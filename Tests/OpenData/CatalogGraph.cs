using System.Text.Json.Nodes;
using ContentApi.Tests.Support;

namespace ContentApi.Tests.OpenData;

/// <summary>One statement as an RDF parser read it.</summary>
public sealed record Statement(string Subject, string Predicate, string Object, string Kind, string? Language, string? Datatype)
{
    public override string ToString() => $"<{Subject}> <{Predicate}> {(Kind == "iri" ? $"<{Object}>" : $"\"{Object}\"")}"
        + (Language is null ? "" : $"@{Language}") + (Datatype is null ? "" : $"^^<{Datatype}>");
}

/// <summary>
/// The catalogue as real RDF parsers read it: RDF/XML by npm's rdfxml-streaming-parser (strict), JSON-LD by npm's
/// jsonld (to RDF, no remote documents), both run by <c>tools/rdf/parse.mjs</c> (installed by <c>npm ci --prefix
/// tools/rdf</c>, which scripts/test runs).
/// </summary>
public sealed class CatalogGraph(IReadOnlyList<Statement> statements)
{
    public const string Rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    public const string Dcat = "http://www.w3.org/ns/dcat#";
    public const string Dct = "http://purl.org/dc/terms/";
    public const string Foaf = "http://xmlns.com/foaf/0.1/";
    public const string Vcard = "http://www.w3.org/2006/vcard/ns#";

    public IReadOnlyList<Statement> Statements { get; } = statements;

    public static async Task<(CatalogGraph RdfXml, CatalogGraph JsonLd)> ParseAsync(string rdfXml, string jsonLd)
    {
        var tools = Path.Combine(OpenApiTools.Root, "tools", "rdf");
        OpenApiTools.Require(Directory.Exists(Path.Combine(tools, "node_modules", "jsonld")), "The RDF parsers (npm jsonld, rdfxml-streaming-parser)",
            "npm ci --prefix tools/rdf");
        var folder = Directory.CreateTempSubdirectory("catalog");
        try
        {
            var rdfFile = Path.Combine(folder.FullName, "catalog.rdf");
            var jsonFile = Path.Combine(folder.FullName, "catalog.jsonld");
            await File.WriteAllTextAsync(rdfFile, rdfXml);
            await File.WriteAllTextAsync(jsonFile, jsonLd);
            var (exitCode, output) = await OpenApiTools.RunAsync("node", Path.Combine(tools, "parse.mjs"), rdfFile, jsonFile);
            Assert.That(exitCode, Is.Zero, $"the RDF parsers refused the catalogue: {output}");
            var parsed = JsonNode.Parse(output)!;
            return (Read(parsed["rdfxml"]!), Read(parsed["jsonld"]!));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static CatalogGraph Read(JsonNode triples) => new(triples.AsArray().Select(t => new Statement(
        (string)t!["s"]!["value"]!, (string)t["p"]!, (string)t["o"]!["value"]!, (string)t["o"]!["kind"]!,
        (string?)t["o"]!["lang"], (string?)t["o"]!["datatype"])).ToList());

    public IEnumerable<string> SubjectsOfType(string type) =>
        Statements.Where(s => s.Predicate == Rdf + "type" && s.Object == type).Select(s => s.Subject);

    public List<Statement> Values(string subject, string predicate) =>
        Statements.Where(s => s.Subject == subject && s.Predicate == predicate).ToList();

    public string Single(string subject, string predicate) => Values(subject, predicate).Single().Object;

    /// <summary>Asserts the subject has each property at least once.</summary>
    public void AssertHas(string subject, params string[] predicates)
    {
        foreach (var predicate in predicates)
            Assert.That(Values(subject, predicate), Is.Not.Empty, $"<{subject}> has no <{predicate}>");
    }
}
