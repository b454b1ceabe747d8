using ContentApi.Api.Reading;
using ContentApi.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Api.OpenData;

/// <summary>
/// The DCAT-AP-SE 3 catalogue of the API's two datasets, the pledges with their commitments and the news articles:
/// every mandatory and recommended property of the catalogue, datasets, distributions, publisher and contact point
/// (DCAT-AP-SE 3.0.1), with the dates read from what anonymous readers see (<see cref="ContentReader.Public"/>).
/// </summary>
/// <remarks>
/// Not filled, on purpose: the publisher's <c>org:classification</c>, whose only value in DCAT-AP-SE says the
/// organisation is financed by fees (a municipality is not); the datasets' <c>dcterms:spatial</c> bounding box (the
/// place is given by URI). <c>dcterms:format</c> names the EU file type and <c>dcat:mediaType</c> the IANA media type,
/// as DCAT-AP 3 has them.
/// </remarks>
public static class Catalog
{
    private const string DataTheme = "http://publications.europa.eu/resource/authority/data-theme";
    private const string FileType = "http://publications.europa.eu/resource/authority/file-type/";
    private const string MediaType = "http://www.iana.org/assignments/media-types/";
    private const string Frequency = "http://publications.europa.eu/resource/authority/frequency/";
    private const string Swedish = "http://publications.europa.eu/resource/authority/language/SWE";
    private const string Public = "http://publications.europa.eu/resource/authority/access-right/PUBLIC";
    private const string Stable = "http://publications.europa.eu/resource/authority/planned-availability/STABLE";
    /// <summary>How many of the most used tags become keywords of the articles.</summary>
    private const int TagKeywords = 10;

    /// <summary>What the catalogue says that comes from the content.</summary>
    public sealed record Facts(
        DateTimeOffset? ArticlesIssued, DateTimeOffset? ArticlesLastPublished, DateTimeOffset? ArticlesModified, List<string> Tags,
        DateTimeOffset? PledgesIssued, DateTimeOffset? PledgesModified, DateOnly? PledgesFrom, DateOnly? PledgesTo);

    /// <summary>Reads the dates and tags, each an index seek (the published counts hold the tags).</summary>
    public static async Task<Facts> ReadAsync(ContentReader reader, CancellationToken ct)
    {
        var articles = reader.Articles;
        var pledges = reader.Pledges;
        var tags = await reader.Db.PublishedCounts
            .Where(c => c.ContentType == PublishedCount.Articles && c.Tag != PublishedCount.All && c.Count > 0)
            .OrderByDescending(c => c.Count).ThenBy(c => c.Tag).Take(TagKeywords).Select(c => c.Tag).ToListAsync(ct);
        return new Facts(
            await articles.MinAsync(a => a.PublishedAt, ct), await articles.MaxAsync(a => a.PublishedAt, ct),
            await articles.MaxAsync(a => (DateTimeOffset?)a.UpdatedAt, ct), tags,
            await pledges.MinAsync(p => p.PublishedAt, ct), await pledges.MaxAsync(p => (DateTimeOffset?)p.UpdatedAt, ct),
            await pledges.MinAsync(p => (DateOnly?)p.ValidFrom, ct), await pledges.MaxAsync(p => (DateOnly?)p.ValidTo, ct));
    }

    /// <summary>The catalogue; <paramref name="absolute"/> makes the API's own absolute address of a path (from PublicBaseUrl when set).</summary>
    public static RdfGraph Build(OpenDataOptions options, Facts facts, Func<string, string> absolute)
    {
        var catalog = absolute(OpenDataEndpoints.CatalogPath);
        string Node(string name) => $"{catalog}#{name}";
        var publisher = options.Publisher.OrganisationNumber is { Length: > 0 } number
            ? $"http://dataportal.se/organisation/SE{number}"
            : Node("publisher");
        var contact = Node("contact");
        var pledges = Node("pledges");
        var articles = Node("articles");
        var homepage = options.Publisher.Homepage is { Length: > 0 } page ? page : absolute("/");
        var modified = Latest(facts.ArticlesModified, facts.PledgesModified);
        var issued = Earliest(facts.ArticlesIssued, facts.PledgesIssued);
        var name = options.Publisher.Name;
        var graph = new RdfGraph();

        graph.Add(catalog, "rdf:type", new Iri("dcat:Catalog"))
            .Add(catalog, "dcterms:title", [Literal.Sv($"Öppna data från {name}"), Literal.En($"Open data from {name}")])
            .Add(catalog, "dcterms:description", [
                Literal.Sv($"Datamängder som {name} publicerar genom sitt innehålls-API: medborgarlöften med åtaganden och nyheter."),
                Literal.En($"Datasets {name} publishes through its content API: citizen pledges with their commitments, and news articles.")])
            .Add(catalog, "dcterms:publisher", new Iri(publisher))
            .Add(catalog, "dcterms:license", new Iri(options.License))
            .Add(catalog, "dcterms:language", new Iri(Swedish))
            .Add(catalog, "dcterms:spatial", new Iri(options.Spatial))
            .Add(catalog, "foaf:homepage", new Iri(homepage))
            .Add(catalog, "dcat:themeTaxonomy", new Iri(DataTheme))
            .Add(catalog, "dcterms:issued", issued is { } i ? Literal.Date(DateOnly.FromDateTime(i.UtcDateTime)) : null)
            .Add(catalog, "dcterms:modified", modified is { } m ? Literal.DateTime(m) : null)
            .Add(catalog, "dcat:dataset", [new Iri(pledges), new Iri(articles)]);

        graph.Add(publisher, "rdf:type", [new Iri("foaf:Agent"), new Iri("foaf:Organization")])
            .Add(publisher, "foaf:name", new Literal(name))
            .Add(publisher, "dcterms:type", new Iri(options.Publisher.Type))
            .Add(publisher, "dcterms:identifier", options.Publisher.OrganisationNumber is { Length: > 0 } id ? new Literal(id) : null)
            .Add(publisher, "dcterms:description", [Literal.Sv($"{name}, som ger ut nyheterna och medborgarlöftena."),
                Literal.En($"{name}, which publishes the news and the citizen pledges.")])
            .Add(publisher, "foaf:homepage", new Iri(homepage));

        AddContact(graph, contact, options.ContactPoint);

        var odataMetadata = absolute($"{ContentRoutes.OData}/$metadata");
        graph.Add(odataMetadata, "rdf:type", new Iri("dcterms:Standard"))
            .Add(odataMetadata, "dcterms:title", [Literal.Sv("API:ets datamodell (OData CSDL)"), Literal.En("The API's data model (OData CSDL)")]);

        var common = new DatasetCommon(publisher, contact, options.Spatial, odataMetadata, options.License, absolute);
        AddDataset(graph, common, pledges, facts.PledgesIssued, facts.PledgesModified, facts.PledgesFrom, facts.PledgesTo,
            title: (Literal.Sv("Medborgarlöften med åtaganden"), Literal.En("Citizen pledges with their commitments")),
            description: (
                Literal.Sv($"Medborgarlöftena som {name} och lokalpolisen ingår varje år: prioriterade områden, åtaganden, vem som ansvarar för dem och hur långt de har kommit."),
                Literal.En($"The yearly citizen pledges of {name} and the local police: priority areas, commitments, who is responsible for each and how far it has come.")),
            themes: ["JUST", "GOVE"], frequency: "IRREG",
            keywords: [Literal.Sv("medborgarlöfte"), Literal.Sv("trygghet"), Literal.Sv("brottsförebyggande arbete"), Literal.Sv("polisen"),
                Literal.En("citizen pledge"), Literal.En("public safety"), Literal.En("crime prevention"), Literal.En("police")],
            distributions:
            [
                new("csv", OpenDataEndpoints.CommitmentsCsvPath, "CSV", "text/csv", Download: true,
                    Literal.Sv("Åtagandena i alla publicerade medborgarlöften som CSV för Excel (UTF-8, semikolon)."),
                    Literal.En("The commitments of every published pledge as CSV for Excel (UTF-8, semicolons).")),
                new("odata", $"{ContentRoutes.OData}/Pledges", "JSON", "application/json", Download: false,
                    Literal.Sv("Medborgarlöftena som OData v4-flöde (Power BI, Excel: Hämta data → OData-feed)."),
                    Literal.En("The pledges as an OData v4 feed (Power BI, Excel: Get data → OData feed).")),
                new("json", ContentRoutes.Pledges, "JSON", "application/json", Download: false,
                    Literal.Sv("Åren som har ett medborgarlöfte, som JSON; varje års löfte på /api/pledges/by-year/{år}."),
                    Literal.En("The years that have a pledge, as JSON; each year's pledge at /api/pledges/by-year/{year}.")),
            ]);
        AddDataset(graph, common, articles, facts.ArticlesIssued, facts.ArticlesModified,
            facts.ArticlesIssued is { } from ? DateOnly.FromDateTime(from.UtcDateTime) : null,
            facts.ArticlesLastPublished is { } to ? DateOnly.FromDateTime(to.UtcDateTime) : null,
            title: (Literal.Sv($"Nyheter från {name}"), Literal.En($"News from {name}")),
            description: (
                Literal.Sv($"De nyheter {name} publicerar: rubrik, ingress, taggar och publiceringsdatum."),
                Literal.En($"The news articles {name} publishes: title, lead, tags and publication dates.")),
            themes: ["GOVE", "SOCI"], frequency: "UPDATE_CONT",
            keywords: [Literal.Sv("nyheter"), Literal.Sv("kommun"), Literal.En("news"), Literal.En("municipality"),
                .. facts.Tags.Select(Literal.Sv)],
            distributions:
            [
                new("csv", OpenDataEndpoints.ArticlesCsvPath, "CSV", "text/csv", Download: true,
                    Literal.Sv("Alla publicerade nyheter som CSV för Excel (UTF-8, semikolon), nyaste först."),
                    Literal.En("Every published article as CSV for Excel (UTF-8, semicolons), newest first.")),
                new("odata", $"{ContentRoutes.OData}/Articles", "JSON", "application/json", Download: false,
                    Literal.Sv("Nyheterna som OData v4-flöde med $filter, $select och $expand."),
                    Literal.En("The articles as an OData v4 feed with $filter, $select and $expand.")),
                new("rss", $"{ContentRoutes.Feeds}/articles.rss", "RSS", null, Download: false,
                    Literal.Sv("De senaste nyheterna som RSS 2.0."), Literal.En("The newest articles as RSS 2.0.")),
                new("atom", $"{ContentRoutes.Feeds}/articles.atom", "ATOM", "application/atom+xml", Download: false,
                    Literal.Sv("De senaste nyheterna som Atom 1.0."), Literal.En("The newest articles as Atom 1.0.")),
            ]);
        return graph;
    }

    private sealed record DatasetCommon(string Publisher, string Contact, string Spatial, string Standard, string License, Func<string, string> Absolute);

    /// <summary>A distribution; its IANA media type is null for RSS, which has none registered.</summary>
    private sealed record Distribution(string Name, string Path, string FileType, string? MediaType, bool Download, Literal DescriptionSv, Literal DescriptionEn);

    private static void AddDataset(RdfGraph graph, DatasetCommon common, string dataset, DateTimeOffset? issued, DateTimeOffset? modified,
        DateOnly? from, DateOnly? to, (Literal Sv, Literal En) title, (Literal Sv, Literal En) description, string[] themes, string frequency,
        List<Literal> keywords, Distribution[] distributions)
    {
        graph.Add(dataset, "rdf:type", new Iri("dcat:Dataset"))
            .Add(dataset, "dcterms:title", [title.Sv, title.En])
            .Add(dataset, "dcterms:description", [description.Sv, description.En])
            .Add(dataset, "dcterms:publisher", new Iri(common.Publisher))
            .Add(dataset, "dcat:contactPoint", new Iri(common.Contact))
            .Add(dataset, "dcat:keyword", keywords.Distinct())
            .Add(dataset, "dcat:theme", themes.Select(t => new Iri($"{DataTheme}/{t}")))
            .Add(dataset, "dcterms:accrualPeriodicity", new Iri(Frequency + frequency))
            .Add(dataset, "dcterms:language", new Iri(Swedish))
            .Add(dataset, "dcterms:spatial", new Iri(common.Spatial))
            .Add(dataset, "dcterms:conformsTo", new Iri(common.Standard))
            .Add(dataset, "dcterms:accessRights", new Iri(Public))
            .Add(dataset, "dcterms:issued", issued is { } i ? Literal.Date(DateOnly.FromDateTime(i.UtcDateTime)) : null)
            .Add(dataset, "dcterms:modified", modified is { } m ? Literal.DateTime(m) : null);
        if (from is not null || to is not null)
        {
            var period = $"{dataset}-period";
            graph.Add(dataset, "dcterms:temporal", new Iri(period))
                .Add(period, "rdf:type", new Iri("dcterms:PeriodOfTime"))
                .Add(period, "dcat:startDate", from is { } f ? Literal.Date(f) : null)
                .Add(period, "dcat:endDate", to is { } t ? Literal.Date(t) : null);
        }
        foreach (var d in distributions)
        {
            var node = $"{dataset}-{d.Name}";
            var url = new Iri(common.Absolute(d.Path));
            graph.Add(dataset, "dcat:distribution", new Iri(node))
                .Add(node, "rdf:type", new Iri("dcat:Distribution"))
                .Add(node, "dcterms:description", [d.DescriptionSv, d.DescriptionEn])
                .Add(node, "dcat:accessURL", url)
                .Add(node, "dcat:downloadURL", d.Download ? url : null)
                .Add(node, "dcterms:format", new Iri(FileType + d.FileType))
                .Add(node, "dcat:mediaType", d.MediaType is { } type ? new Iri(MediaType + type) : null)
                .Add(node, "dcterms:license", new Iri(common.License))
                .Add(node, "dcatap:availability", new Iri(Stable));
        }
    }

    private static void AddContact(RdfGraph graph, string contact, ContactPointOptions options)
    {
        graph.Add(contact, "rdf:type", new Iri("vcard:Organization"))
            .Add(contact, "vcard:fn", new Literal(options.Name))
            .Add(contact, "vcard:hasEmail", new Iri($"mailto:{options.Email}"));
        if (options.Phone is { Length: > 0 } phone)
        {
            var voice = $"{contact}-phone";
            graph.Add(contact, "vcard:hasTelephone", new Iri(voice))
                .Add(voice, "rdf:type", new Iri("vcard:Voice"))
                .Add(voice, "vcard:hasValue", new Iri($"tel:{phone.Replace(" ", "")}"));
        }
        if (options.StreetAddress is { Length: > 0 } || options.Locality is { Length: > 0 })
        {
            var address = $"{contact}-address";
            graph.Add(contact, "vcard:hasAddress", new Iri(address))
                .Add(address, "rdf:type", new Iri("vcard:Address"))
                .Add(address, "vcard:street-address", options.StreetAddress is { } street ? new Literal(street) : null)
                .Add(address, "vcard:postal-code", options.PostalCode is { } code ? new Literal(code) : null)
                .Add(address, "vcard:locality", options.Locality is { } locality ? new Literal(locality) : null)
                .Add(address, "vcard:country-name", options.Country is { } country ? new Literal(country) : null);
        }
    }

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;
}
