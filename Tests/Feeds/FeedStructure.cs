using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;

namespace ContentApi.Tests.Feeds;

/// <summary>
/// The structure the specifications require, checked strictly: Atom against an XML Schema of RFC 4287
/// (<c>atom.xsd</c>, from the RFC's RELAX NG) plus the cardinality rules of its sections 4.1.1 and 4.1.2; RSS by the
/// rules of the RSS 2.0 specification (rssboard.org) and the RSS Advisory Board's profile for atom:link.
/// </summary>
public static class FeedStructure
{
    private static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";

    private static readonly XmlSchemaSet AtomSchema = LoadAtomSchema();

    private static XmlSchemaSet LoadAtomSchema()
    {
        var set = new XmlSchemaSet();
        foreach (var name in new[] { "xml.xsd", "atom.xsd" })
        {
            using var stream = typeof(FeedStructure).Assembly.GetManifestResourceStream(name)!;
            set.Add(XmlSchema.Read(stream, (_, e) => throw e.Exception)!);
        }
        set.Compile();
        return set;
    }

    /// <summary>Valid Atom 1.0: the schema, then what RFC 4287 says each feed and entry must have once.</summary>
    public static void AssertValidAtom(string xml)
    {
        var errors = new List<string>();
        var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = AtomSchema };
        // Errors only: the warnings are of foreign markup (Media RSS), which the RFC allows anywhere and this schema
        // checks laxly, as its RELAX NG does.
        settings.ValidationEventHandler += (_, e) => errors.Add($"{e.Severity} at {e.Exception.LineNumber}:{e.Exception.LinePosition}: {e.Message}");
        using (var reader = XmlReader.Create(new StringReader(xml), settings))
            while (reader.Read())
            {
            }
        Assert.That(errors, Is.Empty, "Atom against atom.xsd (RFC 4287)");

        var feed = XDocument.Parse(xml).Root!;
        Assert.That(feed.Name, Is.EqualTo(Atom + "feed"));
        var metadata = feed.Elements().TakeWhile(e => e.Name != Atom + "entry").Count();
        Assert.That(feed.Elements().Skip(metadata).All(e => e.Name == Atom + "entry"), "entries follow the feed's metadata (RFC 4287, 4.1.1)");
        ExactlyOnce(feed, "id", "title", "updated");
        AtMostOnce(feed, "subtitle", "rights", "icon", "logo", "generator");
        var entries = feed.Elements(Atom + "entry").ToList();
        Assert.That(feed.Elements(Atom + "author").Any() || entries.All(e => e.Elements(Atom + "author").Any()),
            "an author for the feed or for every entry (4.1.1)");
        OneAlternatePerType(feed);
        AbsoluteIri(feed.Element(Atom + "id")!.Value);
        foreach (var person in feed.Descendants(Atom + "author"))
            Assert.That(person.Elements(Atom + "name").Count(), Is.EqualTo(1), "a person has exactly one name (3.2.1)");
        foreach (var link in feed.Descendants(Atom + "link"))
            AbsoluteIri(link.Attribute("href")!.Value);
        Assert.That(feed.Elements(Atom + "link").Count(l => (string?)l.Attribute("rel") == "self"), Is.EqualTo(1), "the feed says where it lives");
        foreach (var entry in entries)
        {
            ExactlyOnce(entry, "id", "title", "updated");
            AtMostOnce(entry, "content", "published", "rights", "source", "summary");
            Assert.That(entry.Element(Atom + "content") is not null || entry.Elements(Atom + "link").Any(l => (string?)l.Attribute("rel") is null or "alternate"),
                "an entry without content has an alternate link (4.1.1)");
            OneAlternatePerType(entry);
            AbsoluteIri(entry.Element(Atom + "id")!.Value);
        }
    }

    /// <summary>Valid RSS 2.0: the elements the specification requires, once, with the values it allows.</summary>
    public static void AssertValidRss(string xml)
    {
        var rss = XDocument.Parse(xml).Root!;
        Assert.That(rss.Name.LocalName, Is.EqualTo("rss"));
        Assert.That((string?)rss.Attribute("version"), Is.EqualTo("2.0"));
        Assert.That(rss.Elements().Select(e => e.Name.LocalName), Is.EqualTo(new[] { "channel" }), "one channel");
        var channel = rss.Element("channel")!;
        string[] channelElements =
        [
            "title", "link", "description", "language", "copyright", "managingEditor", "webMaster", "pubDate", "lastBuildDate",
            "category", "generator", "docs", "cloud", "ttl", "image", "rating", "textInput", "skipHours", "skipDays", "item",
        ];
        string[] itemElements = ["title", "link", "description", "author", "category", "comments", "enclosure", "guid", "pubDate", "source"];
        OnlyKnown(channel, channelElements);
        foreach (var name in new[] { "title", "link", "description" })
        {
            Assert.That(channel.Elements(name).Count(), Is.EqualTo(1), $"channel/{name} is required, once");
            Assert.That(channel.Element(name)!.Value, Is.Not.Empty, $"channel/{name}");
        }
        AbsoluteIri(channel.Element("link")!.Value);
        foreach (var name in channelElements.Where(n => n is not ("category" or "item" or "title" or "link" or "description")))
            Assert.That(channel.Elements(name).Count(), Is.LessThanOrEqualTo(1), $"channel/{name} at most once");
        if (channel.Element("language") is { } language)
            Assert.That(() => CultureInfo.GetCultureInfo(language.Value, predefinedOnly: true), Throws.Nothing, "a language code");
        foreach (var date in channel.Elements("lastBuildDate").Concat(channel.Elements("pubDate")))
            Rfc822(date.Value);
        var self = channel.Elements(Atom + "link").Where(l => (string?)l.Attribute("rel") == "self").ToList();
        Assert.That(self, Has.Count.EqualTo(1), "atom:link rel=self (RSS Advisory Board best practice)");
        AbsoluteIri((string)self[0].Attribute("href")!);
        Assert.That((string?)self[0].Attribute("type"), Is.EqualTo("application/rss+xml"));

        foreach (var item in channel.Elements("item"))
        {
            OnlyKnown(item, itemElements);
            Assert.That(item.Element("title") is not null || item.Element("description") is not null, "an item has a title or a description");
            foreach (var name in itemElements.Where(n => n != "category"))
                Assert.That(item.Elements(name).Count(), Is.LessThanOrEqualTo(1), $"item/{name} at most once");
            if (item.Element("link") is { } link)
                AbsoluteIri(link.Value);
            if (item.Element("pubDate") is { } published)
                Rfc822(published.Value);
            if (item.Element("guid") is { } guid && (string?)guid.Attribute("isPermaLink") is not "false")
                AbsoluteIri(guid.Value);
            if (item.Element("enclosure") is { } enclosure)
            {
                AbsoluteIri((string)enclosure.Attribute("url")!);
                Assert.That(long.TryParse((string?)enclosure.Attribute("length"), NumberStyles.None, CultureInfo.InvariantCulture, out _),
                    "an enclosure's length is its size in bytes");
                Assert.That((string?)enclosure.Attribute("type"), Does.Match("^[a-z]+/[a-z0-9.+-]+$"), "an enclosure's media type");
            }
        }
    }

    private static void ExactlyOnce(XElement parent, params string[] names)
    {
        foreach (var name in names)
            Assert.That(parent.Elements(Atom + name).Count(), Is.EqualTo(1), $"{parent.Name.LocalName}/atom:{name} exactly once");
    }

    private static void AtMostOnce(XElement parent, params string[] names)
    {
        foreach (var name in names)
            Assert.That(parent.Elements(Atom + name).Count(), Is.LessThanOrEqualTo(1), $"{parent.Name.LocalName}/atom:{name} at most once");
    }

    private static void OneAlternatePerType(XElement parent) =>
        Assert.That(parent.Elements(Atom + "link").Where(l => (string?)l.Attribute("rel") is null or "alternate")
                .GroupBy(l => ((string?)l.Attribute("type"), (string?)l.Attribute("hreflang"))).All(g => g.Count() == 1),
            $"{parent.Name.LocalName}: at most one alternate link per type and language");

    private static void OnlyKnown(XElement parent, string[] known)
    {
        // Elements of other namespaces are extensions; those of none must be the specification's.
        var unknown = parent.Elements().Where(e => e.Name.Namespace == XNamespace.None && !known.Contains(e.Name.LocalName)).ToList();
        Assert.That(unknown.Select(e => e.Name.LocalName), Is.Empty, $"{parent.Name.LocalName} has only the specification's elements");
    }

    private static void AbsoluteIri(string value) =>
        Assert.That(Uri.TryCreate(value, UriKind.Absolute, out _), $"'{value}' is an absolute IRI");

    /// <summary>An RFC 822 date with a four-digit year (RSS 2.0 recommends it), here always in GMT.</summary>
    private static void Rfc822(string value) =>
        Assert.That(DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.None, out _), $"'{value}' is an RFC 822 date");
}
