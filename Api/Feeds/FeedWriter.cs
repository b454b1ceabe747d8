using System.Globalization;
using System.Text;
using System.Xml;

namespace ContentApi.Api.Feeds;

/// <summary>A feed as both formats show it; every address in it is absolute.</summary>
public sealed record Feed(
    string Id, string Title, string Description, string SelfUrl, string SiteUrl, string Author, DateTimeOffset? Updated,
    IReadOnlyList<FeedEntry> Entries);

/// <summary>One article in a feed.</summary>
public sealed record FeedEntry(
    Guid Id, string Title, string Link, string Summary, DateTimeOffset Published, DateTimeOffset Updated,
    IReadOnlyList<string> Categories, FeedEnclosure? Enclosure, FeedPicture? Picture);

/// <summary>A file an entry carries (the hero photo), with its exact media type and length in bytes.</summary>
public sealed record FeedEnclosure(string Url, string MediaType, long Length);

/// <summary>
/// The hero photo at a size for showing (a JPEG rendition), as Media RSS's media:content: a rendition's length is known
/// only once it is made, and Media RSS, unlike an enclosure, does not ask for one. The alt text is its description.
/// </summary>
public sealed record FeedPicture(string Url, int Width, int Height, string? Description);

/// <summary>
/// Writes a <see cref="Feed"/> as RSS 2.0 (https://www.rssboard.org/rss-specification) or Atom 1.0 (RFC 4287), in
/// UTF-8. Written by hand with <see cref="XmlWriter"/> rather than System.ServiceModel.Syndication, which the API would
/// otherwise not need: the tests read both with it.
/// </summary>
public static class FeedWriter
{
    public const string RssContentType = "application/rss+xml; charset=utf-8";
    public const string AtomContentType = "application/atom+xml; charset=utf-8";
    private const string AtomNamespace = "http://www.w3.org/2005/Atom";
    private const string MediaNamespace = "http://search.yahoo.com/mrss/";

    private static readonly XmlWriterSettings Settings = new()
    {
        Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), Indent = true, NewLineChars = "\n",
    };

    public static byte[] Rss(Feed feed) => Write(writer =>
    {
        writer.WriteStartElement("rss");
        writer.WriteAttributeString("version", "2.0");
        writer.WriteAttributeString("xmlns", "atom", null, AtomNamespace);
        writer.WriteAttributeString("xmlns", "media", null, MediaNamespace);
        writer.WriteStartElement("channel");
        Text(writer, "title", feed.Title);
        Text(writer, "link", feed.SiteUrl);
        Text(writer, "description", feed.Description);
        Text(writer, "language", "sv");
        if (feed.Updated is { } updated)
            Text(writer, "lastBuildDate", Rfc822(updated));
        // RSS has no address of its own; readers and validators take it from Atom's (rssboard.org's best practice).
        writer.WriteStartElement("atom", "link", AtomNamespace);
        writer.WriteAttributeString("href", feed.SelfUrl);
        writer.WriteAttributeString("rel", "self");
        writer.WriteAttributeString("type", "application/rss+xml");
        writer.WriteEndElement();
        foreach (var entry in feed.Entries)
        {
            writer.WriteStartElement("item");
            Text(writer, "title", entry.Title);
            Text(writer, "link", entry.Link);
            Text(writer, "description", entry.Summary);
            writer.WriteStartElement("guid");
            writer.WriteAttributeString("isPermaLink", "false");
            writer.WriteString(Urn(entry.Id));
            writer.WriteEndElement();
            Text(writer, "pubDate", Rfc822(entry.Published));
            foreach (var category in entry.Categories)
                Text(writer, "category", category);
            if (entry.Enclosure is { } enclosure)
            {
                writer.WriteStartElement("enclosure");
                writer.WriteAttributeString("url", enclosure.Url);
                writer.WriteAttributeString("length", enclosure.Length.ToString(CultureInfo.InvariantCulture));
                writer.WriteAttributeString("type", enclosure.MediaType);
                writer.WriteEndElement();
            }
            Picture(writer, entry.Picture);
            writer.WriteEndElement();
        }
        writer.WriteEndElement();
        writer.WriteEndElement();
    });

    public static byte[] Atom(Feed feed) => Write(writer =>
    {
        writer.WriteStartElement("feed", AtomNamespace);
        writer.WriteAttributeString("xml", "lang", null, "sv");
        writer.WriteAttributeString("xmlns", "media", null, MediaNamespace);
        Text(writer, "id", feed.Id);
        Text(writer, "title", feed.Title);
        Text(writer, "subtitle", feed.Description);
        // Atom requires it: an empty feed has changed never.
        Text(writer, "updated", Rfc3339(feed.Updated ?? DateTimeOffset.UnixEpoch));
        writer.WriteStartElement("author");
        Text(writer, "name", feed.Author);
        Text(writer, "uri", feed.SiteUrl);
        writer.WriteEndElement();
        Link(writer, "self", feed.SelfUrl, "application/atom+xml");
        Link(writer, "alternate", feed.SiteUrl);
        foreach (var entry in feed.Entries)
        {
            writer.WriteStartElement("entry");
            Text(writer, "id", Urn(entry.Id));
            Text(writer, "title", entry.Title);
            Link(writer, "alternate", entry.Link);
            Text(writer, "published", Rfc3339(entry.Published));
            Text(writer, "updated", Rfc3339(entry.Updated));
            Text(writer, "summary", entry.Summary);
            foreach (var category in entry.Categories)
            {
                writer.WriteStartElement("category");
                writer.WriteAttributeString("term", Clean(category));
                writer.WriteEndElement();
            }
            if (entry.Enclosure is { } enclosure)
                Link(writer, "enclosure", enclosure.Url, enclosure.MediaType, enclosure.Length);
            Picture(writer, entry.Picture);
            writer.WriteEndElement();
        }
        writer.WriteEndElement();
    });

    private static byte[] Write(Action<XmlWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, Settings))
        {
            writer.WriteStartDocument();
            write(writer);
            writer.WriteEndDocument();
        }
        return buffer.ToArray();
    }

    private static void Text(XmlWriter writer, string name, string value) => writer.WriteElementString(name, Clean(value));

    private static void Link(XmlWriter writer, string rel, string href, string? type = null, long? length = null)
    {
        writer.WriteStartElement("link");
        writer.WriteAttributeString("rel", rel);
        if (type is not null)
            writer.WriteAttributeString("type", type);
        if (length is { } bytes)
            writer.WriteAttributeString("length", bytes.ToString(CultureInfo.InvariantCulture));
        writer.WriteAttributeString("href", href);
        writer.WriteEndElement();
    }

    private static void Picture(XmlWriter writer, FeedPicture? picture)
    {
        if (picture is null)
            return;
        writer.WriteStartElement("media", "content", MediaNamespace);
        writer.WriteAttributeString("url", picture.Url);
        writer.WriteAttributeString("type", "image/jpeg");
        writer.WriteAttributeString("medium", "image");
        writer.WriteAttributeString("width", picture.Width.ToString(CultureInfo.InvariantCulture));
        writer.WriteAttributeString("height", picture.Height.ToString(CultureInfo.InvariantCulture));
        if (picture.Description is { Length: > 0 } description)
        {
            writer.WriteStartElement("media", "description", MediaNamespace);
            writer.WriteAttributeString("type", "plain");
            writer.WriteString(Clean(description));
            writer.WriteEndElement();
        }
        writer.WriteEndElement();
    }

    /// <summary>A stable id that no address change can alter (RSS guid, Atom id).</summary>
    private static string Urn(Guid id) => $"urn:uuid:{id}";

    /// <summary>RFC 822 (RSS 2.0's dates), in GMT.</summary>
    private static string Rfc822(DateTimeOffset at) => at.ToUniversalTime().ToString("r", CultureInfo.InvariantCulture);

    /// <summary>RFC 3339 (Atom's dates), in UTC, fractions of a second only when there are any.</summary>
    private static string Rfc3339(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// The text without the characters XML 1.0 cannot carry (control characters other than tab and line breaks, lone
    /// surrogates), which a JSON write may have put in a title: the feed stays readable instead of failing.
    /// </summary>
    private static string Clean(string text)
    {
        StringBuilder? kept = null;
        for (var i = 0; i < text.Length; i++)
        {
            var pair = i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], text[i]);
            if (pair || XmlConvert.IsXmlChar(text[i]))
                kept?.Append(text, i, pair ? 2 : 1);
            else
                kept ??= new StringBuilder(text.Length).Append(text, 0, i);
            if (pair)
                i++;
        }
        return kept?.ToString() ?? text;
    }
}
