using System.Net;
using System.Text;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;
using static ContentApi.Tests.Support.DeliverySupport;

namespace ContentApi.Tests.OpenData;

/// <summary>
/// The CSV files, as Swedish Excel opens them by double-click: UTF-8 with a byte order mark, semicolons, CRLF, RFC 4180
/// quoting, ISO dates in Swedish time, and formulas neutralised.
/// </summary>
public class CsvTests : ApiTest
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    [Test]
    public async Task CommitmentsAreOneRowEachWithQuotingAndFormulasNeutralised()
    {
        var pledge = Pledge(2024);
        var commitments = pledge.PriorityAreas[0].Commitments;
        commitments[0].Text = "Möten; kvartalsvis med \"Trygg i Sölvesborg\"\noch skolorna.";
        commitments[1].Text = "=HYPERLINK(\"http://evil.example\";\"Klicka\")";
        commitments[1].ResponsibleParty = "@Polisen";
        pledge.PriorityAreas.Add(new PriorityArea
        {
            Title = "-Tidig upptäckt", Description = "",
            Commitments = [new() { Text = "+46 ringer", ResponsibleParty = "Kommunen", Status = CommitmentStatus.Planned }],
        });
        await SaveAsync(pledge, Pledge(2023), Pledge(2025, ContentStatus.Draft));

        var (response, text) = await GetCsvAsync("/api/opendata/commitments.csv?year=2024");
        Assert.That(response.Content.Headers.ContentDisposition?.DispositionType, Is.EqualTo("attachment"));
        Assert.That(response.Content.Headers.ContentDisposition?.FileName, Is.EqualTo("medborgarlofte-2024-ataganden.csv"));
        var ids = pledge.PriorityAreas.SelectMany(a => a.Commitments).Select(c => c.Id).ToList();
        Assert.That(text, Is.EqualTo(
            "year;priorityArea;commitment;responsibleParty;status;id\r\n"
            + $"2024;Trafik;\"Möten; kvartalsvis med \"\"Trygg i Sölvesborg\"\"\noch skolorna.\";Kommunen;Done;{ids[0]}\r\n"
            + $"2024;Trafik;\"'=HYPERLINK(\"\"http://evil.example\"\";\"\"Klicka\"\")\";\"'@Polisen\";InProgress;{ids[1]}\r\n"
            + $"2024;\"'-Tidig upptäckt\";\"'+46 ringer\";Kommunen;Planned;{ids[2]}\r\n"));

        var (all, allText) = await GetCsvAsync("/api/opendata/commitments.csv");
        Assert.That(all.Content.Headers.ContentDisposition?.FileName, Is.EqualTo("medborgarloften-ataganden.csv"));
        Assert.That(Lines(allText).Skip(1).Select(l => l[..4]), Is.EqualTo(new[] { "2024", "2024", "2024", "2023", "2023" }),
            "newest year first, the draft of 2025 left out");
        await GetProblem("/api/opendata/commitments.csv?year=tjugotjugofyra", HttpStatusCode.BadRequest);
        await GetProblem("/api/opendata/commitments.csv?status=Done", HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task ArticlesAreNewestFirstWithDatesInSwedishTimeAndOneTagOnRequest()
    {
        var winter = Article("Vinterväghållning", minutesAfterBase: 0, tags: ["trafik"]);
        var summer = Article("Sommarlov; aktiviteter", minutesAfterBase: 60 * 24 * 120, tags: ["fritid", "unga"]);
        summer.Summary = "Sommarens program.";
        await SaveAsync(winter, summer, Article("Utkast", ContentStatus.Draft, minutesAfterBase: 60 * 24 * 200, tags: ["trafik"]));

        var (response, text) = await GetCsvAsync("/api/opendata/articles.csv");
        Assert.That(response.Content.Headers.ContentDisposition?.FileName, Is.EqualTo("nyheter.csv"));
        var baseAddress = Client.BaseAddress!.ToString().TrimEnd('/');
        Assert.That(Lines(text), Is.EqualTo(new[]
        {
            "id;title;slug;lead;summary;tags;publishedAt;updatedAt;url",
            // 2024-06-29 08:00 UTC is 10:00 in Swedish summer time; 2024-03-01 08:00 UTC is 09:00 in winter.
            $"{summer.Id};\"Sommarlov; aktiviteter\";{summer.Slug};\"Ingress till Sommarlov; aktiviteter.\";Sommarens program.;fritid, unga;2024-06-29 10:00:00;2024-06-29 10:00:00;{baseAddress}/api/articles/{summer.Id}",
            $"{winter.Id};Vinterväghållning;{winter.Slug};Ingress till Vinterväghållning.;;trafik;2024-03-01 09:00:00;2024-03-01 09:00:00;{baseAddress}/api/articles/{winter.Id}",
        }));
        var (_, tagged) = await GetCsvAsync("/api/opendata/articles.csv?tag=trafik");
        Assert.That(Lines(tagged).Skip(1).Select(l => l.Split(';')[1]), Is.EqualTo(new[] { "Vinterväghållning" }));
        await GetProblem("/api/opendata/articles.csv?tag=%20", HttpStatusCode.BadRequest);
        await GetProblem("/api/opendata/articles.csv?page=2", HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task TheArticleListStreamsInBatchesWithoutRepeatingOrLosingAnArticle()
    {
        // More than two batches of 1000, some sharing a publication time, so that the continuation must compare by id too.
        var articles = Enumerable.Range(0, 2_150).Select(i => Article($"Nyhet {i}", minutesAfterBase: i / 3)).ToArray();
        await SaveAsync(articles);

        var (_, text) = await GetCsvAsync("/api/opendata/articles.csv");
        var ids = Lines(text).Skip(1).Select(l => Guid.Parse(l[..36])).ToList();
        // PostgreSQL orders uuids as their canonical text orders.
        var expected = articles.OrderByDescending(a => a.PublishedAt).ThenByDescending(a => a.Id.ToString()).Select(a => a.Id);
        Assert.That(ids, Is.EqualTo(expected), "newest first, each once");
    }

    [Test]
    public async Task CsvIsStoredAndEvictedWhenAnArticleOrPledgeIsPublished()
    {
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var draft = Article("Snart publicerad", ContentStatus.Draft);
        var pledge = Pledge(2024);
        await SaveAsync(Article("Redan publicerad", minutesAfterBase: -5), draft, pledge);
        string[] urls = ["/api/opendata/articles.csv", "/api/opendata/commitments.csv", "/api/opendata/catalog.rdf"];
        foreach (var url in urls)
        {
            await GetCsvOrAnyAsync(url);
            using var stored = await Client.GetAsync(url);
            Assert.That(stored.CacheStatus(), Is.EqualTo(Hit), url);
            using var notModified = await Client.SendAsync(IfNoneMatch(url, stored.Headers.ETag!));
            Assert.That(notModified.StatusCode, Is.EqualTo(HttpStatusCode.NotModified), url);
        }

        var (published, _) = await publisher.SendJson(HttpMethod.Post, $"/api/articles/{draft.Id}/publish");
        Assert.That(published.IsSuccessStatusCode);
        var (_, articles) = await GetCsvAsync(urls[0]);
        Assert.That(articles, Does.Contain("Snart publicerad"));

        var (patched, _) = await publisher.SendJson(HttpMethod.Patch, $"/api/pledges/{pledge.Id}",
            """{"priorityAreas":[{"title":"Trafik","description":"","commitments":[{"text":"Ny text.","responsibleParty":"Kommunen","status":"Done"}]}]}""",
            ifMatch: "\"1\"", mediaType: "application/merge-patch+json");
        Assert.That(patched.IsSuccessStatusCode, await patched.Content.ReadAsStringAsync());
        var (_, pending) = await GetCsvAsync(urls[1]);
        Assert.That(pending, Does.Not.Contain("Ny text."), "a pending version is not public");
        var (republished, _) = await publisher.SendJson(HttpMethod.Post, $"/api/pledges/{pledge.Id}/publish");
        Assert.That(republished.IsSuccessStatusCode);
        var (_, commitments) = await GetCsvAsync(urls[1]);
        Assert.That(commitments, Does.Contain("Ny text."));
    }

    private static async Task GetCsvOrAnyAsync(string url)
    {
        using var response = await Client.GetAsync(url);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), url);
    }

    /// <summary>The CSV's text after its byte order mark, with the headers Excel needs checked.</summary>
    internal static async Task<(HttpResponseMessage Response, string Text)> GetCsvAsync(string url, HttpClient? client = null)
    {
        var response = await (client ?? Client).GetAsync(url);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{url}: {Encoding.UTF8.GetString(bytes)}");
        Assert.That(response.Content.Headers.ContentType?.ToString(), Is.EqualTo("text/csv; charset=utf-8"), url);
        Assert.That(bytes.Take(3), Is.EqualTo(Bom), $"{url} starts with the UTF-8 byte order mark");
        return (response, new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 3, bytes.Length - 3));
    }

    /// <summary>The records of a CSV whose fields hold no line breaks.</summary>
    internal static string[] Lines(string text)
    {
        Assert.That(text, Does.EndWith("\r\n"));
        return text[..^2].Split("\r\n");
    }
}
