using System.Net;
using System.Text.Json.Nodes;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using ContentApi.Infrastructure.Seeding;
using ContentApi.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Quality;

/// <summary>LIX is computed on every save, stored, and shown on REST and OData (filterable, sortable).</summary>
public class LixTests : ApiTest
{
    [Test]
    public async Task TheDemoArticleHasTheLixWorkedOutByHand()
    {
        await using (var db = TestRun.Factory.CreateDbContext())
            await DemoContent.SeedAsync(db, TestRun.Factory.Services.GetRequiredService<PhotoStorage>());

        // The demo article (Infrastructure/Seeding/DemoContent.cs), unit by unit: words, long words (more than six
        // letters), sentences.
        //   title   "Nytt medborgarlöfte för 2024"                                    4 words,  1 long (medborgarlöfte), 1 sentence
        //   lead    "Sölvesborgs kommun … för 2024. Årets … trygghet."               19 words,  8 long, 2 sentences
        //           long: Sölvesborgs, polisen, tecknat, medborgarlöfte, prioriterade, områden, upptäckt, trygghet
        //   body[0] paragraph "Under måndagen … trygghet."                          53 words, 23 long, 3 sentences
        //           (Birgersson-Brorsson is one word of 18 letters)
        //   body[1] quote "Den lokala lägesbilden … under 2024."                     25 words,  7 long, 2 sentences
        //           (the attribution does not count)
        //   body[2] heading "De tre T:na; trafik, tidig upptäckt och trygghet"       8 words,  2 long (upptäckt, trygghet),
        //           1 sentence (T:na is one word of 3; "trafik" has 6 letters: not long; no full stop: the unit ends it)
        //   body[3] paragraph "Trygghetsmätningen som … åtgärder."                  79 words, 32 long, 4 sentences
        //   body[4] paragraph "Genom det prioriterade … en oro för."                59 words, 17 long, 2 sentences
        //           (the dash in "SSPF - samverkan" stands alone: no word)
        //   body[5] paragraph "Kommunen och polisen … en åtgärd."                   50 words, 17 long, 3 sentences
        //           (A-traktorer is one word of 10)
        //   body[6] list "Trafik" | "Tidig upptäckt" | "Trygghet"                     4 words,  2 long, 3 sentences
        //   body[7] paragraph "I övrigt kommer … och helger."                       31 words,  8 long, 1 sentence
        //   body[8] quote "Våra trygghetsvärdar … i kommunen."                       28 words, 11 long, 1 sentence
        //   body[9] link "Läs mer om medborgarlöften på polisens webbplats"           7 words,  3 long, 1 sentence
        // W = 367, L = 131, S = 24: 367 / 24 + 100 × 131 / 367 = 15.29 + 35.69 = 50.99 → 51.0, Difficult.
        var article = await GetJson($"/api/articles/by-slug/{DemoContent.ArticleSlug}");
        Assert.That((double?)article["lix"], Is.EqualTo(51.0));
        Assert.That((string?)article["readingLevel"], Is.EqualTo("Difficult"));

        var odata = await GetJson("/odata/Articles?$filter=lix gt 50 and lix lt 51.5&$select=title,lix");
        Assert.That((double?)odata["value"]![0]!["lix"], Is.EqualTo(51.0));
    }

    [Test]
    public async Task ListsAndODataSortAndFilterByLix()
    {
        var easy = Article("Lätt");
        easy.Title = "Vi bygger en ny lekplats";
        easy.Lead = "Lekplatsen öppnar i maj.";
        easy.Body = [Block.Paragraph("Barnen får gunga och klättra. Välkomna!")]; // 30.4 (Tests/Domain/ReadabilityTests)
        var hard = Article("Svår", minutesAfterBase: 1);
        hard.Title = "Samverkansöverenskommelsen undertecknades";
        hard.Lead = "";
        hard.Body = []; // 102.0
        await SaveAsync(easy, hard);

        var list = await GetJson("/api/articles");
        Assert.That(list["items"]!.AsArray().Select(i => ((double?)i!["lix"], (string?)i["readingLevel"])),
            Is.EqualTo(new[] { ((double?)102.0, (string?)"VeryDifficult"), (30.4, "Easy") }));

        var hardest = await GetJson("/odata/Articles?$orderby=lix desc&$select=title,lix");
        Assert.That(Strings(hardest["value"], "title"), Is.EqualTo(new[] { hard.Title, easy.Title }));
        var atMost40 = await GetJson("/odata/Articles?$filter=lix le 40&$select=title&$count=true");
        Assert.That(Strings(atMost40["value"], "title"), Is.EqualTo(new[] { easy.Title }));
        var metadata = await Client.GetStringAsync("/odata/$metadata");
        Assert.That(metadata, Does.Contain("<Property Name=\"lix\" Type=\"Edm.Double\" />"));
    }

    [Test]
    public async Task EverySaveComputesItAndAPendingVersionsLixIsShownToEditorsOnly()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var (created, draft) = await editor.SendJson(HttpMethod.Post, "/api/articles", new
        {
            title = "Vi bygger en ny lekplats", lead = "Lekplatsen öppnar i maj.",
            body = new[] { new { type = "Paragraph", text = "Barnen får gunga och klättra. Välkomna!" } },
        });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), draft?.ToJsonString());
        Assert.That((double?)draft!["lix"], Is.EqualTo(30.4));
        var id = (string)draft["id"]!;
        var (published, _) = await publisher.SendJson(HttpMethod.Post, $"/api/articles/{id}/publish");
        Assert.That(published.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        // The next version waits; readers keep the live version's LIX.
        var (patched, pending) = await editor.SendJson(HttpMethod.Patch, $"/api/articles/{id}",
            // 7 words, all long, 3 sentences (one per unit): 7 / 3 + 100 × 7 / 7 = 102.33 → 102.3.
            """{"title":"Samverkansöverenskommelsen undertecknades","lead":"Överenskommelsen undertecknades gemensamt.","body":[{"type":"Paragraph","text":"Kommunstyrelsen sammanträdde."}]}""",
            ifMatch: published.ETag(),
            mediaType: "application/merge-patch+json");
        Assert.That(patched.StatusCode, Is.EqualTo(HttpStatusCode.OK), pending?.ToJsonString());
        Assert.That((double?)pending!["lix"], Is.EqualTo(102.3));
        Assert.That((double?)(await GetJson($"/api/articles/{id}"))["lix"], Is.EqualTo(30.4));
        Assert.That((await GetJson("/odata/Articles?$filter=lix gt 100"))["value"]!.AsArray(), Is.Empty);
        Assert.That((await GetJson(editor, "/odata/Articles?$filter=lix gt 100&$select=lix"))["value"]!.AsArray(), Has.Count.EqualTo(1));
        Assert.That((await GetJson(editor, "/api/articles"))["items"]![0]!["lix"]!.GetValue<double>(), Is.EqualTo(102.3));

        var (republished, live) = await publisher.SendJson(HttpMethod.Post, $"/api/articles/{id}/publish");
        Assert.That(republished.StatusCode, Is.EqualTo(HttpStatusCode.OK), live?.ToJsonString());
        Assert.That((double?)(await GetJson($"/api/articles/{id}"))["lix"], Is.EqualTo(102.3));
    }

    [Test]
    public async Task PublishingAHardTextAnswersAWarningNotARefusal()
    {
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var hard = Article("Svår", ContentStatus.Draft);
        hard.Title = "Samverkansöverenskommelsen undertecknades";
        hard.Lead = "Överenskommelsen undertecknades gemensamt.";
        var easy = Article("Vi bygger en ny lekplats", ContentStatus.Draft);
        easy.Lead = "Lekplatsen öppnar i maj.";
        easy.Body = [Block.Paragraph("Barnen får gunga och klättra. Välkomna!")];
        await SaveAsync(hard, easy);

        var (published, answer) = await publisher.SendJson(HttpMethod.Post, $"/api/articles/{hard.Id}/publish");
        Assert.That(published.StatusCode, Is.EqualTo(HttpStatusCode.OK), answer?.ToJsonString());
        var warning = answer!["warnings"]!.AsArray().Single(w => (string?)w!["code"] == "LixAboveThreshold")!;
        Assert.That((string?)warning["message"], Does.Contain("45 or more"));
        Assert.That(warning["block"], Is.Null);

        var (_, easyAnswer) = await publisher.SendJson(HttpMethod.Post, $"/api/articles/{easy.Id}/publish");
        Assert.That(easyAnswer!["warnings"]!.AsArray(), Is.Empty);
        // Warnings are the editors': readers get none.
        Assert.That((await GetJson($"/api/articles/{hard.Id}")).AsObject().ContainsKey("warnings"), Is.False);
    }

    [Test]
    public async Task TheThresholdIsConfigurable()
    {
        await using var api = new ContentApiFactory(TestRun.ConnectionString, TestRun.PhotoFolder, settings: new Dictionary<string, string?> { ["ContentQuality:LixWarningThreshold"] = "110" });
        var hard = Article("Svår");
        hard.Title = "Samverkansöverenskommelsen undertecknades";
        hard.Lead = "";
        hard.Body = [];
        await SaveAsync(hard);
        var editor = await TestAuth.KeyClientAsync(Roles.Editor, api: api);
        var read = await GetJson(editor, $"/api/articles/{hard.Id}");
        Assert.That((double?)read["lix"], Is.EqualTo(102.0));
        Assert.That(read["warnings"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task TheBackfillComputesArticlesSavedBeforeTheMigrationAndLogsNoChange()
    {
        var article = Article("Vi bygger en ny lekplats");
        article.Lead = "Lekplatsen öppnar i maj.";
        article.Body = [Block.Paragraph("Barnen får gunga och klättra. Välkomna!")]; // 30.4
        // A pending version: 2 words, both long, 1 sentence (the paragraph below has no word): 2 / 1 + 100 = 102.0.
        article.Write(article.LiveContent() with { Title = "Samverkansöverenskommelsen undertecknades", Lead = "", Body = [Block.Paragraph("–")] },
            article.Slug, []);
        await SaveAsync(article);
        await using var db = TestRun.Factory.CreateDbContext();
        // As the migration leaves a database that had articles: no LIX yet, and the list of what to compute.
        await db.Database.ExecuteSqlRawAsync("UPDATE articles SET lix = NULL, pending_changes = pending_changes - 'Lix'");
        await db.Database.ExecuteSqlRawAsync($"CREATE TABLE {ReadabilityBackfill.Table} (id uuid PRIMARY KEY); INSERT INTO {ReadabilityBackfill.Table} SELECT id FROM articles");
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        Assert.That((await GetJson(editor, $"/api/articles/{article.Id}"))["lix"], Is.Null);
        var logged = await db.ChangeLogEntries.CountAsync();

        Assert.That(await ReadabilityBackfill.RunAsync(db), Is.EqualTo(1));

        Assert.That((double?)(await GetJson($"/api/articles/{article.Id}", forget: true))["lix"], Is.EqualTo(30.4));
        Assert.That((double?)(await GetJson(editor, $"/api/articles/{article.Id}"))["lix"], Is.EqualTo(102.0));
        Assert.That(await db.ChangeLogEntries.CountAsync(), Is.EqualTo(logged), "computing LIX is not a change of content");
        Assert.That(await ReadabilityBackfill.RunAsync(db), Is.EqualTo(0), "the list is gone when done");
        // The log's trigger is on again: a real change is logged.
        await db.Database.ExecuteSqlRawAsync("UPDATE articles SET title = 'Ny rubrik'");
        Assert.That(await db.ChangeLogEntries.CountAsync(), Is.EqualTo(logged + 1));
    }
}
