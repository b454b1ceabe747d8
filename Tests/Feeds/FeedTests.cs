using System.Net;
using System.Net.Http.Headers;
using System.ServiceModel.Syndication;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;
using static ContentApi.Tests.Support.DeliverySupport;

namespace ContentApi.Tests.Feeds;

/// <summary>
/// The RSS and Atom feeds, read as a feed reader reads them (System.ServiceModel.Syndication) and checked against the
/// specifications (<see cref="FeedStructure"/>).
/// </summary>
public class FeedTests : ApiTest
{
    private static readonly string[] Formats = ["rss", "atom"];

    [TestCaseSource(nameof(Formats))]
    public async Task AFeedReaderReadsTheNewestPublishedArticlesFirstWithSwedishLettersIntact(string format)
    {
        var older = Article("Ny gång- och cykelväg längs Ölandsvägen", minutesAfterBase: 0, tags: ["trafik"]);
        var newer = Article("Återvinningscentralen får längre öppettider", minutesAfterBase: 10, tags: ["miljö", "trafik"]);
        newer.Lead = "Från måndag är ÅVC öppen även på kvällar – å, ä och ö.";
        await SaveAsync(older, newer, Article("Hemligt utkast", ContentStatus.Draft, minutesAfterBase: 20),
            Article("Arkiverad nyhet", ContentStatus.Archived, minutesAfterBase: 30));

        var (response, xml) = await GetFeedAsync(Client, $"/api/feeds/articles.{format}");
        Assert.That(response.Content.Headers.ContentType?.ToString(),
            Is.EqualTo(format == "rss" ? "application/rss+xml; charset=utf-8" : "application/atom+xml; charset=utf-8"));
        var feed = Read(xml);
        Assert.That(feed.Title.Text, Is.EqualTo("Sölvesborgs kommun: nyheter"));
        Assert.That(feed.Language, Is.EqualTo("sv"));
        Assert.That(feed.LastUpdatedTime, Is.EqualTo(newer.UpdatedAt));
        Assert.That(feed.Items.Select(i => i.Title.Text), Is.EqualTo(new[] { newer.Title, older.Title }), "newest first, drafts and archived left out");
        var item = feed.Items.First();
        Assert.That(item.Id, Is.EqualTo($"urn:uuid:{newer.Id}"));
        Assert.That(item.Summary.Text, Is.EqualTo(newer.Lead));
        Assert.That(item.PublishDate, Is.EqualTo(newer.PublishedAt));
        if (format == "atom")
            Assert.That(item.LastUpdatedTime, Is.EqualTo(newer.UpdatedAt));
        Assert.That(item.Categories.Select(c => c.Name), Is.EqualTo(new[] { "miljö", "trafik" }));
        Assert.That(item.Links.Where(l => l.RelationshipType is null or "alternate"), Has.Exactly(1).Items);
        AssertValid(format, xml);
    }

    [TestCaseSource(nameof(Formats))]
    public async Task ATagsFeedHasOnlyTheArticlesWithThatTag(string format)
    {
        await SaveAsync(Article("Om trafik", minutesAfterBase: 0, tags: ["trafik"]), Article("Om miljö och trafik", minutesAfterBase: 5, tags: ["miljö", "trafik"]),
            Article("Om kultur", minutesAfterBase: 10, tags: ["kultur"]), Article("Utkast om miljö", ContentStatus.Draft, minutesAfterBase: 15, tags: ["miljö"]));

        Assert.That(Titles(await ReadAsync($"/api/feeds/tags/trafik.{format}")), Is.EqualTo(new[] { "Om miljö och trafik", "Om trafik" }));
        var (_, xml) = await GetFeedAsync(Client, $"/api/feeds/tags/{Uri.EscapeDataString("miljö")}.{format}");
        var feed = Read(xml);
        Assert.That(Titles(feed), Is.EqualTo(new[] { "Om miljö och trafik" }));
        Assert.That(feed.Title.Text, Is.EqualTo("Sölvesborgs kommun: nyheter om miljö"));
        AssertValid(format, xml);
        // A tag nobody has used yet is a feed to subscribe to, empty for now.
        var (_, empty) = await GetFeedAsync(Client, $"/api/feeds/tags/vinterväghållning.{format}");
        Assert.That(Read(empty).Items, Is.Empty);
        AssertValid(format, empty);
        Assert.That(Titles(await ReadAsync($"/api/feeds/articles.{format}?limit=2")), Is.EqualTo(new[] { "Om kultur", "Om miljö och trafik" }));
    }

    [TestCaseSource(nameof(Formats))]
    public async Task TheHeroPhotoIsAnEnclosureWithTheFilesOwnTypeAndLengthAndARenditionToShow(string format)
    {
        var photo = Photo();
        photo.Width = 1200;
        photo.Height = 900;
        var article = Article("Med bild");
        article.HeroPhotoId = photo.Id;
        await SaveAsync(photo, article, Article("Utan bild", minutesAfterBase: -5));

        var feed = await ReadAsync($"/api/feeds/articles.{format}");
        var enclosure = feed.Items.First().Links.Single(l => l.RelationshipType == "enclosure");
        using var file = await Client.GetAsync(enclosure.Uri);
        var bytes = await file.Content.ReadAsByteArrayAsync();
        Assert.That(file.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(enclosure.Length, Is.EqualTo(bytes.Length).And.EqualTo((await PhotoUploads.StoredFile(photo.Id)).Length));
        Assert.That(enclosure.MediaType, Is.EqualTo(file.Content.Headers.ContentType?.MediaType).And.EqualTo("image/png"));
        Assert.That(feed.Items.Last().Links.Where(l => l.RelationshipType == "enclosure"), Is.Empty, "no hero photo, no enclosure");

        // Media RSS: the widest JPEG rendition up to 960 pixels, with the alt text.
        var media = MediaContent(feed.Items.First());
        Assert.That(((int?)media.Attribute("width"), (int?)media.Attribute("height")), Is.EqualTo((960, 720)));
        Assert.That((string?)media.Element(XName.Get("description", MediaRss)), Is.EqualTo(photo.AltText));
        using var rendition = await Client.GetAsync((string)media.Attribute("url")!);
        Assert.That(rendition.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(rendition.Content.Headers.ContentType?.MediaType, Is.EqualTo((string?)media.Attribute("type")).And.EqualTo("image/jpeg"));
        Assert.That(feed.Items.Last().ElementExtensions.Where(e => e.OuterNamespace == MediaRss), Is.Empty);
    }

    [TestCaseSource(nameof(Formats))]
    public async Task EveryLinkIsAbsoluteFromThePublicAddressAndArticlesLinkToTheWebsite(string format)
    {
        const string publicBase = "https://api.solvesborg.se/innehall/";
        var photo = Photo();
        var article = Article("Sommarlov på Sölvesborgs bibliotek");
        article.HeroPhotoId = photo.Id;
        await SaveAsync(photo, article);
        await using var server = Server(new()
        {
            ["PublicBaseUrl"] = publicBase, ["Site:ArticleUrlTemplate"] = "https://www.solvesborg.se/nyheter/{slug}",
            ["Site:Url"] = "https://www.solvesborg.se/",
        });
        using var client = server.CreateClient();
        // A forged Host changes nothing: the public address is configured.
        client.DefaultRequestHeaders.Host = "evil.example";

        var (_, xml) = await GetFeedAsync(client, $"/api/feeds/tags/{Uri.EscapeDataString("å ä")}.{format}?limit=5");
        var self = Read(xml).Links.Single(l => l.RelationshipType == "self").Uri;
        Assert.That(self, Is.EqualTo(new Uri($"{publicBase}api/feeds/tags/%C3%A5%20%C3%A4.{format}?limit=5")));
        (_, xml) = await GetFeedAsync(client, $"/api/feeds/articles.{format}");
        var feed = Read(xml);
        Assert.That(feed.Links.Single(l => l.RelationshipType == "self").Uri, Is.EqualTo(new Uri($"{publicBase}api/feeds/articles.{format}")));
        Assert.That(feed.Links.Single(l => l.RelationshipType is null or "alternate").Uri, Is.EqualTo(new Uri("https://www.solvesborg.se/")));
        var item = feed.Items.Single();
        Assert.That(item.Links.Single(l => l.RelationshipType is null or "alternate").Uri,
            Is.EqualTo(new Uri($"https://www.solvesborg.se/nyheter/{article.Slug}")));
        Assert.That(item.Links.Single(l => l.RelationshipType == "enclosure").Uri, Is.EqualTo(new Uri($"{publicBase}api/photos/{photo.Id}/file")));
        Assert.That(xml, Does.Not.Contain("evil.example").And.Not.Contain("localhost").And.Not.Contain("127.0.0.1"));
        AssertValid(format, xml);
    }

    [TestCaseSource(nameof(Formats))]
    public async Task WithoutATemplateAnArticleLinksToItsRestAddress(string format)
    {
        var article = Article("Utan webbplats");
        await SaveAsync(article);

        var link = (await ReadAsync($"/api/feeds/articles.{format}")).Items.Single().Links.Single(l => l.RelationshipType is null or "alternate").Uri;
        Assert.That(link, Is.EqualTo(new Uri(Client.BaseAddress!, $"/api/articles/{article.Id}")));
        Assert.That((string?)(await GetJson(link.ToString()))["title"], Is.EqualTo("Utan webbplats"));
    }

    [Test]
    public async Task AFeedIsRevalidatedByETagAndSentCompressed()
    {
        await SaveAsync(Article("Första", minutesAfterBase: 0), Article("Andra", minutesAfterBase: 1), Article("Tredje", minutesAfterBase: 2));
        foreach (var url in new[] { "/api/feeds/articles.rss", "/api/feeds/tags/trafik.atom" })
        {
            using var first = await Client.GetAsync(url);
            var etag = first.Headers.ETag!;
            Assert.That(first.Headers.CacheControl?.Public, Is.True, url);
            using var again = await Client.SendAsync(IfNoneMatch(url, etag));
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.NotModified), url);
            Assert.That(again.CacheStatus(), Is.EqualTo(Hit), url);
        }
        using var raw = RawClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/feeds/articles.atom");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("br"));
        using var compressed = await raw.SendAsync(request);
        Assert.That(compressed.Content.Headers.ContentEncoding, Is.EqualTo(new[] { "br" }));
    }

    [Test]
    public async Task PublishingUnpublishingAndAReplacedPhotoShowInTheNextRequest()
    {
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var photo = Photo();
        var live = Article("Redan publicerad", minutesAfterBase: 0, tags: ["trafik"]);
        live.HeroPhotoId = photo.Id;
        var draft = Article("Snart publicerad", ContentStatus.Draft, tags: ["trafik"]);
        await SaveAsync(photo, live, draft);
        string[] urls = ["/api/feeds/articles.rss", "/api/feeds/articles.atom", "/api/feeds/tags/trafik.rss", "/api/feeds/tags/trafik.atom"];
        foreach (var url in urls)
        {
            Assert.That(Titles(await ReadAsync(url)), Is.EqualTo(new[] { "Redan publicerad" }), url);
            using var stored = await Client.GetAsync(url);
            Assert.That(stored.CacheStatus(), Is.EqualTo(Hit), url);
        }

        await publisher.SendJson(HttpMethod.Post, $"/api/articles/{draft.Id}/publish");
        foreach (var url in urls)
            Assert.That(Titles(await ReadAsync(url)), Is.EqualTo(new[] { "Snart publicerad", "Redan publicerad" }), url);

        await publisher.SendJson(HttpMethod.Post, $"/api/articles/{draft.Id}/unpublish");
        var replacement = new MultipartFormDataContent { { new ByteArrayContent(TestImages.Png(320, 240)), "file", "ny.png" } };
        using var replace = new HttpRequestMessage(HttpMethod.Put, $"/api/photos/{photo.Id}/file") { Content = replacement };
        replace.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        using var replaced = await publisher.SendAsync(replace);
        Assert.That(replaced.StatusCode, Is.EqualTo(HttpStatusCode.OK), await replaced.Content.ReadAsStringAsync());
        var newLength = (await PhotoUploads.StoredFile(photo.Id)).Length;
        foreach (var url in urls)
        {
            var feed = await ReadAsync(url);
            Assert.That(Titles(feed), Is.EqualTo(new[] { "Redan publicerad" }), url);
            Assert.That(feed.Items.Single().Links.Single(l => l.RelationshipType == "enclosure").Length, Is.EqualTo(newLength), url);
        }
    }

    [TestCase("/api/feeds/articles.rss?limit=0")]
    [TestCase("/api/feeds/articles.atom?limit=101")]
    [TestCase("/api/feeds/articles.rss?limit=många")]
    [TestCase("/api/feeds/articles.rss?tag=trafik")]
    [TestCase("/api/feeds/tags/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.atom")]
    [TestCase("/api/feeds/tags/%20%20.rss")]
    [TestCase("/api/feeds/tags/%01.rss")]
    [TestCase("/api/feeds/articles.rss?limit=99999999999999")]
    public async Task ABadTagOrLimitIsAProblem(string url) =>
        await GetProblem(url, HttpStatusCode.BadRequest);

    [TestCase("/api/feeds/tags/a.b.rss")]
    [TestCase("/api/feeds/tags/a%2Fb.atom")]
    [TestCase("/api/feeds/tags/%C3%28.rss")]
    [TestCase("/api/feeds/tags/%E2%80%AE%F0%9F%98%80.atom")]
    [TestCase("/api/feeds/tags/%3C%2Fchannel%3E%26.rss")]
    public async Task AnOddTagIsAnEmptyFeedNotAnError(string url)
    {
        await SaveAsync(Article("Något annat", tags: ["trafik"]));
        var (_, xml) = await GetFeedAsync(Client, url);
        Assert.That(Read(xml).Items, Is.Empty);
        AssertValid(url.EndsWith(".rss") ? "rss" : "atom", xml);
    }

    [Test]
    public async Task ControlCharactersATitleCannotCarryInXmlAreLeftOut()
    {
        await SaveAsync(Article("Rubrik\u0001 med styrtecken"));
        foreach (var format in Formats)
        {
            var (_, xml) = await GetFeedAsync(Client, $"/api/feeds/articles.{format}");
            Assert.That(Titles(Read(xml)), Is.EqualTo(new[] { "Rubrik med styrtecken" }));
            AssertValid(format, xml);
        }
    }

    [Test]
    public async Task TheStructureCheckRefusesWhatTheSpecificationsForbid()
    {
        var photo = Photo();
        var article = Article("Kontrollerad");
        article.HeroPhotoId = photo.Id;
        await SaveAsync(photo, article);
        var (_, atom) = await GetFeedAsync(Client, "/api/feeds/articles.atom");
        var (_, rss) = await GetFeedAsync(Client, "/api/feeds/articles.rss");
        var entryId = $"<id>urn:uuid:{article.Id}</id>";
        var published = "<published>2024-03-01T08:00:00Z</published>";
        Assert.That(Refusal(() => FeedStructure.AssertValidAtom(atom)), Is.Null);
        Assert.That(Refusal(() => FeedStructure.AssertValidRss(rss)), Is.Null);
        Assert.Multiple(() =>
        {
            Assert.That(Refusal(() => FeedStructure.AssertValidAtom(atom.Replace(entryId, ""))), Is.Not.Null, "an entry without id");
            Assert.That(Refusal(() => FeedStructure.AssertValidAtom(atom.Replace(entryId, entryId + entryId))), Is.Not.Null, "two ids");
            Assert.That(Refusal(() => FeedStructure.AssertValidAtom(atom.Replace(published, "<published>2024-03-01 08:00</published>"))), Is.Not.Null, "not RFC 3339");
            Assert.That(Refusal(() => FeedStructure.AssertValidAtom(atom.Replace(published, "<published>2024-03-01T08:00:00</published>"))), Is.Not.Null, "no time zone");
            Assert.That(Refusal(() => FeedStructure.AssertValidAtom(atom.Replace("<author>", "<writer>").Replace("</author>", "</writer>"))), Is.Not.Null, "no author");
            Assert.That(Refusal(() => FeedStructure.AssertValidAtom(atom.Replace("length=\"", "length=\"-"))), Is.Not.Null, "a negative length");
            Assert.That(Refusal(() => FeedStructure.AssertValidRss(Regex.Replace(rss, "<description>[^<]*</description>\\s*<language>", "<language>"))), Is.Not.Null,
                "a channel without description");
            Assert.That(Refusal(() => FeedStructure.AssertValidRss(rss.Replace("GMT</pubDate>", "+0100x</pubDate>"))), Is.Not.Null, "not RFC 822");
            Assert.That(Refusal(() => FeedStructure.AssertValidRss(rss.Replace("<guid", "<uid").Replace("</guid>", "</uid>"))), Is.Not.Null, "an element RSS has not");
        });
    }

    /// <summary>What the check says is wrong, or null; its failure does not fail this test.</summary>
    private static string? Refusal(Action check)
    {
        using (new NUnit.Framework.Internal.TestExecutionContext.IsolatedContext())
        {
            try
            {
                check();
                return null;
            }
            catch (AssertionException refused)
            {
                return refused.Message;
            }
        }
    }

    [TestCase("/nyheter/{slug}")]
    [TestCase("https://www.solvesborg.se/nyheter/")]
    [TestCase("ftp://www.solvesborg.se/{slug}")]
    public void AnArticleUrlTemplateThatIsNoWebAddressStopsTheStart(string template) =>
        Assert.That(ContentApiFactory.StartupError("Site:ArticleUrlTemplate", template), Does.Contain("Site:ArticleUrlTemplate must be"));

    internal static async Task<(HttpResponseMessage Response, string Xml)> GetFeedAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        var xml = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"GET {url} answered: {xml}");
        return (response, xml);
    }

    /// <summary>The feed as a feed reader sees it, read from the anonymous client.</summary>
    internal static async Task<SyndicationFeed> ReadAsync(string url, HttpClient? client = null) =>
        Read((await GetFeedAsync(client ?? Client, url)).Xml);

    internal static SyndicationFeed Read(string xml)
    {
        using var reader = XmlReader.Create(new StringReader(xml));
        return SyndicationFeed.Load(reader);
    }

    private const string MediaRss = "http://search.yahoo.com/mrss/";

    private static XElement MediaContent(SyndicationItem item)
    {
        using var reader = item.ElementExtensions.Single(e => e.OuterName == "content" && e.OuterNamespace == MediaRss).GetReader();
        return (XElement)XNode.ReadFrom(reader);
    }

    internal static List<string> Titles(SyndicationFeed feed) => [.. feed.Items.Select(i => i.Title.Text)];

    private static void AssertValid(string format, string xml)
    {
        if (format == "rss")
            FeedStructure.AssertValidRss(xml);
        else
            FeedStructure.AssertValidAtom(xml);
    }

    private static ContentApiFactory Server(Dictionary<string, string?> settings)
    {
        var server = new ContentApiFactory(TestRun.ConnectionString, TestRun.PhotoFolder, settings: settings);
        server.UseKestrel(0);
        return server;
    }
}
