using System.Net;
using System.Net.Http.Headers;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.OpenData.CatalogGraph;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.OpenData;

/// <summary>
/// The DCAT-AP-SE catalogue, read by real RDF parsers in both serialisations (<see cref="CatalogGraph"/>) and checked
/// for the properties DCAT-AP-SE 3.0.1 makes mandatory and recommends.
/// </summary>
public class CatalogTests : ApiTest
{
    private const string DataTheme = "http://publications.europa.eu/resource/authority/data-theme/";

    [Test]
    public async Task BothSerialisationsGiveTheSameGraphWithEveryMandatoryAndRecommendedProperty()
    {
        await SaveAsync(Pledge(2024), Article("Trygghetsvandring", minutesAfterBase: 0, tags: ["trygghet"]),
            Article("Ny cykelväg", minutesAfterBase: 10, tags: ["trafik", "trygghet"]));
        var (rdfXml, jsonLd) = await ReadBothAsync(Client);

        Assert.That(jsonLd.Statements.Select(s => s.ToString()).Order(), Is.EqualTo(rdfXml.Statements.Select(s => s.ToString()).Order()),
            "RDF/XML and JSON-LD say the same statements");
        var graph = rdfXml;
        Assert.That(graph.Statements.Where(s => s.Kind == "blank" || s.Subject.StartsWith("_:", StringComparison.Ordinal)), Is.Empty,
            "no blank nodes: dataportal.se refuses them for catalogues, datasets, distributions, publishers and contacts");
        Assert.That(graph.Statements.Where(s => s.Kind == "iri").Select(s => new Uri(s.Object)).Concat(graph.Statements.Select(s => new Uri(s.Subject))),
            Has.All.Matches<Uri>(u => u.IsAbsoluteUri), "every IRI is absolute");

        var catalog = graph.SubjectsOfType(Dcat + "Catalog").Single();
        Assert.That(catalog, Is.EqualTo(new Uri(Client.BaseAddress!, "/api/opendata/catalog").ToString()));
        graph.AssertHas(catalog, Dct + "title", Dct + "description", Dct + "publisher", Dct + "license", Dcat + "dataset",
            Dct + "issued", Dct + "language", Dct + "modified", Foaf + "homepage", Dct + "spatial", Dcat + "themeTaxonomy");
        Assert.That(graph.Single(catalog, Dct + "license"), Is.EqualTo("http://creativecommons.org/publicdomain/zero/1.0/"), "CC0 1.0 by default");
        AssertSwedishAndEnglish(graph, catalog, Dct + "title");

        var publisher = graph.Single(catalog, Dct + "publisher");
        graph.AssertHas(publisher, Foaf + "name", Dct + "type", Dct + "description");
        Assert.That(graph.Single(publisher, Foaf + "name"), Is.EqualTo("Sölvesborgs kommun"));
        Assert.That(graph.Single(publisher, Dct + "type"), Is.EqualTo("http://purl.org/adms/publishertype/LocalAuthority"));

        var datasets = graph.Values(catalog, Dcat + "dataset").Select(s => s.Object).ToList();
        Assert.That(datasets, Is.EquivalentTo(graph.SubjectsOfType(Dcat + "Dataset")));
        Assert.That(datasets.Select(d => graph.Values(d, Dct + "title").Single(t => t.Language == "sv").Object),
            Is.EquivalentTo(new[] { "Medborgarlöften med åtaganden", "Nyheter från Sölvesborgs kommun" }));
        foreach (var dataset in datasets)
        {
            graph.AssertHas(dataset, Dct + "title", Dct + "description", Dct + "publisher", Dcat + "contactPoint", Dcat + "keyword",
                Dcat + "theme", Dct + "issued", Dct + "modified", Dct + "accrualPeriodicity", Dct + "spatial", Dct + "temporal",
                Dct + "accessRights", Dct + "conformsTo", Dcat + "distribution");
            AssertSwedishAndEnglish(graph, dataset, Dct + "title");
            AssertSwedishAndEnglish(graph, dataset, Dct + "description");
            Assert.That(graph.Single(dataset, Dct + "publisher"), Is.EqualTo(publisher), "one publisher, described once");
            Assert.That(graph.Values(dataset, Dcat + "theme").Select(t => t.Object), Has.All.StartWith(DataTheme));
            Assert.That(graph.Single(dataset, Dct + "accrualPeriodicity"), Does.StartWith("http://publications.europa.eu/resource/authority/frequency/"));
            var contact = graph.Single(dataset, Dcat + "contactPoint");
            graph.AssertHas(contact, Vcard + "fn", Vcard + "hasEmail", Vcard + "hasTelephone", Vcard + "hasAddress");
            Assert.That(graph.Values(contact, Rdf + "type").Select(t => t.Object), Does.Contain(Vcard + "Organization"));
            Assert.That(graph.Single(contact, Vcard + "hasEmail"), Does.StartWith("mailto:"));
            foreach (var distribution in graph.Values(dataset, Dcat + "distribution").Select(d => d.Object))
            {
                graph.AssertHas(distribution, Dcat + "accessURL", Dct + "format", Dct + "description", Dct + "license",
                    "http://data.europa.eu/r5r/availability");
                Assert.That(graph.Single(distribution, Dct + "format"), Does.StartWith("http://publications.europa.eu/resource/authority/file-type/"));
            }
        }

        var articles = datasets.Single(d => d.EndsWith("#articles", StringComparison.Ordinal));
        Assert.That(graph.Values(articles, Dcat + "keyword").Select(k => k.Object), Is.SupersetOf(new[] { "trygghet", "trafik" }),
            "the most used tags are keywords");
        Assert.That(graph.Values(articles, Dcat + "theme").Select(t => t.Object), Does.Contain(DataTheme + "GOVE"));
        var downloads = datasets.SelectMany(d => graph.Values(d, Dcat + "distribution")).Select(d => d.Object)
            .Where(d => graph.Values(d, Dcat + "downloadURL").Count > 0).ToList();
        Assert.That(downloads.Select(d => graph.Single(d, Dcat + "downloadURL")), Is.EquivalentTo(new[]
        {
            new Uri(Client.BaseAddress!, "/api/opendata/articles.csv").ToString(), new Uri(Client.BaseAddress!, "/api/opendata/commitments.csv").ToString(),
        }));
        Assert.That(downloads.Select(d => graph.Single(d, Dcat + "mediaType")), Has.All.EqualTo("http://www.iana.org/assignments/media-types/text/csv"));
        var accessUrls = datasets.SelectMany(d => graph.Values(d, Dcat + "distribution")).Select(d => new Uri(graph.Single(d.Object, Dcat + "accessURL")).AbsolutePath);
        Assert.That(accessUrls, Is.SupersetOf(new[] { "/odata/Articles", "/odata/Pledges", "/api/feeds/articles.rss", "/api/feeds/articles.atom" }));
        // Every distribution answers.
        foreach (var url in accessUrls)
            Assert.That((await Client.GetAsync(url)).StatusCode, Is.EqualTo(HttpStatusCode.OK), url);
    }

    [Test]
    public async Task DatesComeFromWhatAnonymousReadersSeeNeverFromADraft()
    {
        var pledge = Pledge(2023);
        await SaveAsync(pledge, Pledge(2024), Pledge(2030, ContentStatus.Draft), Article("Äldst", minutesAfterBase: -60 * 24 * 30),
            Article("Nyast", minutesAfterBase: 10), Article("Utkast", ContentStatus.Draft, minutesAfterBase: 60 * 24 * 400));
        var (graph, _) = await ReadBothAsync(Client);
        var catalog = graph.SubjectsOfType(Dcat + "Catalog").Single();
        var articles = catalog + "#articles";
        var pledges = catalog + "#pledges";

        Assert.That(graph.Single(articles, Dct + "modified"), Is.EqualTo("2024-03-01T08:10:00Z"));
        Assert.That(graph.Values(articles, Dct + "modified").Single().Datatype, Is.EqualTo("http://www.w3.org/2001/XMLSchema#dateTime"));
        Assert.That(graph.Single(articles, Dct + "issued"), Is.EqualTo("2024-01-31"));
        var articlePeriod = graph.Single(articles, Dct + "temporal");
        Assert.That((graph.Single(articlePeriod, Dcat + "startDate"), graph.Single(articlePeriod, Dcat + "endDate")), Is.EqualTo(("2024-01-31", "2024-03-01")));
        var pledgePeriod = graph.Single(pledges, Dct + "temporal");
        Assert.That((graph.Single(pledgePeriod, Dcat + "startDate"), graph.Single(pledgePeriod, Dcat + "endDate")), Is.EqualTo(("2023-01-01", "2024-12-31")),
            "the draft pledge of 2030 is not covered");
        Assert.That(graph.Single(catalog, Dct + "modified"), Is.EqualTo("2024-03-01T08:10:00Z"));
    }

    [Test]
    public async Task TheCatalogueIsNegotiatedByAcceptAndHasExplicitAddresses()
    {
        await SaveAsync(Article("En nyhet"));
        foreach (var (accept, expected) in new[]
        {
            ((string?)null, "application/rdf+xml"), ("application/rdf+xml", "application/rdf+xml"), ("application/ld+json", "application/ld+json"),
            ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/rdf+xml"),
            ("application/rdf+xml;q=0.5, application/ld+json", "application/ld+json"), ("application/json", "application/ld+json"),
        })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/opendata/catalog");
            if (accept is not null)
                request.Headers.TryAddWithoutValidation("Accept", accept);
            using var response = await Client.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), accept);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(expected), accept);
            Assert.That(response.Headers.Vary, Does.Contain("Accept"), accept);
        }
        using (var refused = new HttpRequestMessage(HttpMethod.Get, "/api/opendata/catalog"))
        {
            refused.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
            using var response = await Client.SendAsync(refused);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotAcceptable));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        }
        Assert.That((await Client.GetAsync("/api/opendata/catalog.rdf")).Content.Headers.ContentType?.ToString(), Is.EqualTo("application/rdf+xml; charset=utf-8"));
        Assert.That((await Client.GetAsync("/api/opendata/catalog.jsonld")).Content.Headers.ContentType?.ToString(), Is.EqualTo("application/ld+json; charset=utf-8"));
        await GetProblem("/api/opendata/catalog.rdf?format=ttl", HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task PublisherLicenceAndAddressesComeFromConfiguration()
    {
        await using var api = new OwnApi(new Dictionary<string, string?>
        {
            ["PublicBaseUrl"] = "https://api.solvesborg.se/innehall/",
            ["OpenData:License"] = "http://creativecommons.org/licenses/by/4.0/",
            ["OpenData:Publisher:OrganisationNumber"] = "2120000000",
            ["OpenData:ContactPoint:Email"] = "oppnadata@solvesborg.se",
        });
        await SaveAsync(Pledge(2024), Article("En nyhet"));
        var (graph, jsonLd) = await ReadBothAsync(api.Client);
        Assert.That(jsonLd.Statements.Count, Is.EqualTo(graph.Statements.Count));

        var catalog = graph.SubjectsOfType(Dcat + "Catalog").Single();
        Assert.That(catalog, Is.EqualTo("https://api.solvesborg.se/innehall/api/opendata/catalog"));
        var publisher = graph.Single(catalog, Dct + "publisher");
        Assert.That(publisher, Is.EqualTo("http://dataportal.se/organisation/SE2120000000"), "the identifier dataportal.se merges publishers by");
        Assert.That(graph.Single(publisher, Dct + "identifier"), Is.EqualTo("2120000000"));
        Assert.That(graph.Statements.Where(s => s.Predicate == Dct + "license").Select(s => s.Object), Has.All.EqualTo("http://creativecommons.org/licenses/by/4.0/"));
        Assert.That(graph.Statements.Where(s => s.Predicate == Dcat + "accessURL").Select(s => s.Object), Has.All.StartWith("https://api.solvesborg.se/innehall/"));
        Assert.That(graph.Statements.Where(s => s.Predicate == Vcard + "hasEmail").Select(s => s.Object), Has.All.EqualTo("mailto:oppnadata@solvesborg.se"));
    }

    [TestCase("OpenData:License", "CC0")]
    [TestCase("OpenData:Spatial", "Sölvesborg")]
    [TestCase("OpenData:Publisher:OrganisationNumber", "212000-0000")]
    [TestCase("OpenData:Publisher:Name", " ")]
    [TestCase("OpenData:ContactPoint:Email", "")]
    public void SettingsTheCatalogueCannotUseStopTheStart(string key, string value)
    {
        var error = Assert.Catch(() => new OwnApi(new Dictionary<string, string?> { [key] = value }).DisposeAsync().AsTask().GetAwaiter().GetResult());
        Assert.That(error!.ToString(), Does.Contain(key.Split(':')[^1]), "the error names the setting");
    }

    private static void AssertSwedishAndEnglish(CatalogGraph graph, string subject, string predicate) =>
        Assert.That(graph.Values(subject, predicate).Select(v => v.Language), Is.SupersetOf(new[] { "sv", "en" }), $"<{subject}> <{predicate}> in Swedish and English");

    private static async Task<(CatalogGraph RdfXml, CatalogGraph JsonLd)> ReadBothAsync(HttpClient client)
    {
        var rdfXml = await client.GetStringAsync("/api/opendata/catalog.rdf");
        var jsonLd = await client.GetStringAsync("/api/opendata/catalog.jsonld");
        return await ParseAsync(rdfXml, jsonLd);
    }
}
