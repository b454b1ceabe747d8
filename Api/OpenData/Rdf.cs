using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml;

namespace ContentApi.Api.OpenData;

/// <summary>An object of a statement: an IRI, or a literal with a language or a datatype.</summary>
public abstract record RdfObject;

public sealed record Iri(string Value) : RdfObject;

public sealed record Literal(string Value, string? Language = null, string? Datatype = null) : RdfObject
{
    public static Literal Sv(string value) => new(value, "sv");
    public static Literal En(string value) => new(value, "en");
    public static Literal Date(DateOnly value) => new(value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Datatype: Rdf.Xsd + "date");
    public static Literal DateTime(DateTimeOffset value) =>
        new(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), Datatype: Rdf.Xsd + "dateTime");
}

/// <summary>
/// A small RDF graph with one writer per serialisation the catalogue is served in, so RDF/XML and JSON-LD say the
/// same statements by construction (the tests parse both and compare). Subjects are IRIs only: dataportal.se refuses
/// blank nodes for the catalogue, datasets, distributions, publishers and contacts, and with none at all the two
/// serialisations compare as plain sets of triples.
/// </summary>
public sealed class RdfGraph
{
    private readonly List<(string Subject, string Predicate, RdfObject Object)> _triples = [];

    public IReadOnlyList<(string Subject, string Predicate, RdfObject Object)> Triples => _triples;

    public RdfGraph Add(string subject, string predicate, RdfObject? value)
    {
        if (value is not null && !(value is Literal { Value: "" }))
            _triples.Add((subject, Rdf.Expand(predicate), value is Iri iri ? new Iri(Rdf.Expand(iri.Value)) : value));
        return this;
    }

    public RdfGraph Add(string subject, string predicate, IEnumerable<RdfObject> values)
    {
        foreach (var value in values)
            Add(subject, predicate, value);
        return this;
    }
}

/// <summary>The prefixes the catalogue uses, and its two serialisations.</summary>
public static class Rdf
{
    public const string RdfNs = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    public const string Xsd = "http://www.w3.org/2001/XMLSchema#";
    public const string RdfXmlContentType = "application/rdf+xml; charset=utf-8";
    public const string JsonLdContentType = "application/ld+json; charset=utf-8";

    /// <summary>Prefix and namespace, in the order the documents declare them.</summary>
    public static readonly (string Prefix, string Namespace)[] Prefixes =
    [
        ("rdf", RdfNs),
        ("dcat", "http://www.w3.org/ns/dcat#"),
        ("dcterms", "http://purl.org/dc/terms/"),
        ("foaf", "http://xmlns.com/foaf/0.1/"),
        ("vcard", "http://www.w3.org/2006/vcard/ns#"),
        ("dcatap", "http://data.europa.eu/r5r/"),
        ("xsd", Xsd),
    ];

    /// <summary>A compact IRI (<c>dcat:Dataset</c>) in full; a full IRI as it is.</summary>
    public static string Expand(string iri)
    {
        var colon = iri.IndexOf(':');
        if (colon > 0 && !iri.AsSpan(colon).StartsWith("://"))
            foreach (var (prefix, ns) in Prefixes)
                if (iri.AsSpan(0, colon).SequenceEqual(prefix))
                    return ns + iri[(colon + 1)..];
        return iri;
    }

    private static (string Prefix, string Namespace, string Local) Split(string iri)
    {
        foreach (var (prefix, ns) in Prefixes)
            if (iri.StartsWith(ns, StringComparison.Ordinal) && XmlConvert.IsNCNameChar(iri[^1]) && iri.Length > ns.Length)
                return (prefix, ns, iri[ns.Length..]);
        throw new InvalidOperationException($"The predicate {iri} has no declared prefix: add its namespace to Rdf.Prefixes.");
    }

    /// <summary>RDF/XML, the syntax dataportal.se harvests: one <c>rdf:Description</c> per subject, in order of first use.</summary>
    public static byte[] RdfXml(RdfGraph graph)
    {
        using var buffer = new MemoryStream();
        using (var xml = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true }))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement("rdf", "RDF", RdfNs);
            foreach (var (prefix, ns) in Prefixes.Skip(1))
                xml.WriteAttributeString("xmlns", prefix, null, ns);
            foreach (var subject in graph.Triples.GroupBy(t => t.Subject))
            {
                xml.WriteStartElement("rdf", "Description", RdfNs);
                xml.WriteAttributeString("rdf", "about", RdfNs, subject.Key);
                foreach (var (_, predicate, value) in subject)
                {
                    var (prefix, ns, local) = Split(predicate);
                    xml.WriteStartElement(prefix, local, ns);
                    switch (value)
                    {
                        case Iri iri:
                            xml.WriteAttributeString("rdf", "resource", RdfNs, iri.Value);
                            break;
                        case Literal literal:
                            if (literal.Language is { } language)
                                xml.WriteAttributeString("xml", "lang", null, language);
                            if (literal.Datatype is { } datatype)
                                xml.WriteAttributeString("rdf", "datatype", RdfNs, datatype);
                            xml.WriteString(literal.Value);
                            break;
                    }
                    xml.WriteEndElement();
                }
                xml.WriteEndElement();
            }
            xml.WriteEndElement();
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// JSON-LD: a <c>@context</c> of the prefixes only, and a <c>@graph</c> with one node per subject whose keys are
    /// compact IRIs and whose values are explicit objects (<c>@id</c>, or <c>@value</c> with <c>@language</c> or
    /// <c>@type</c>), so no term definition can change what a value means.
    /// </summary>
    public static byte[] JsonLd(RdfGraph graph)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartObject("@context");
            foreach (var (prefix, ns) in Prefixes)
                json.WriteString(prefix, ns);
            json.WriteEndObject();
            json.WriteStartArray("@graph");
            foreach (var subject in graph.Triples.GroupBy(t => t.Subject))
            {
                json.WriteStartObject();
                json.WriteString("@id", subject.Key);
                foreach (var predicate in subject.GroupBy(t => t.Predicate))
                {
                    var (prefix, _, local) = Split(predicate.Key);
                    if (predicate.Key == RdfNs + "type")
                    {
                        json.WriteStartArray("@type");
                        foreach (var (_, _, value) in predicate)
                            json.WriteStringValue(((Iri)value).Value);
                        json.WriteEndArray();
                        continue;
                    }
                    json.WriteStartArray($"{prefix}:{local}");
                    foreach (var (_, _, value) in predicate)
                    {
                        json.WriteStartObject();
                        switch (value)
                        {
                            case Iri iri:
                                json.WriteString("@id", iri.Value);
                                break;
                            case Literal literal:
                                json.WriteString("@value", literal.Value);
                                if (literal.Language is { } language)
                                    json.WriteString("@language", language);
                                if (literal.Datatype is { } datatype)
                                    json.WriteString("@type", datatype);
                                break;
                        }
                        json.WriteEndObject();
                    }
                    json.WriteEndArray();
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
