using System.Net;
using System.Text.Json.Nodes;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Quality;

/// <summary>
/// Accessibility checks: one test per rule. Warnings name the block they concern and are listed on an editor's read of
/// the article and in the publish answer, never to anonymous readers; they refuse nothing.
/// </summary>
public class ContentCheckTests : ApiTest
{
    /// <summary>Saves a draft with the body (and photos) and returns the warnings of an editor's read, as (code, block, blockType, field).</summary>
    private static async Task<List<(string? Code, int? Block, string? Type, string? Field)>> WarningsAsync(List<Block> body, params object[] photos)
    {
        var draft = Article("Vi bygger en ny lekplats", ContentStatus.Draft); // easy: no LIX warning
        draft.Body = body;
        await SaveAsync([.. photos, draft]);
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var read = await GetJson(editor, $"/api/articles/{draft.Id}");
        return [.. read["warnings"]!.AsArray().Select(w =>
            ((string?)w!["code"], (int?)w["block"], (string?)w["blockType"], (string?)w["field"]))];
    }

    [Test]
    public async Task ASkippedHeadingLevelIsWarnedAboutInTheEditorsReadAndThePublishAnswer()
    {
        var draft = Article("Rubriker", ContentStatus.Draft);
        draft.Body = [Block.Heading("Bakgrund", 3), Block.Paragraph("Text."), Block.Heading("Mer", 2), Block.Heading("Detaljer", 3),
            Block.Heading("Ännu djupare", 4), Block.Heading("Tillbaka", 2), Block.Heading("För djupt", 4)];
        await SaveAsync(draft);
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);

        var (published, answer) = await publisher.SendJson(HttpMethod.Post, $"/api/articles/{draft.Id}/publish");
        Assert.That(published.StatusCode, Is.EqualTo(HttpStatusCode.OK), answer?.ToJsonString());
        var skipped = answer!["warnings"]!.AsArray().Where(w => (string?)w!["code"] == "HeadingLevelSkipped").ToList();
        // h1 (the title) to h3, and h2 to h4; h2 → h3 → h4 and back up to h2 are fine.
        Assert.That(skipped.Select(w => ((int?)w!["block"], (string?)w["blockType"], (string?)w["field"])),
            Is.EqualTo(new[] { ((int?)0, (string?)"Heading", (string?)"body[0].level"), (6, "Heading", "body[6].level") }));
        Assert.That((string?)skipped[0]!["message"], Does.Contain("Use level 2"));
        var read = (await GetJson(publisher, $"/api/articles/{draft.Id}"))["warnings"]!.AsArray();
        Assert.That(read.Count(w => (string?)w!["code"] == "HeadingLevelSkipped"), Is.EqualTo(2));
        // Anonymous readers get no warnings at all.
        Assert.That((await GetJson($"/api/articles/{draft.Id}")).AsObject().ContainsKey("warnings"), Is.False);
    }

    [Test]
    public async Task ALinkTextThatSaysNothingAloneIsWarnedAbout()
    {
        var warnings = await WarningsAsync(
        [
            Block.Link("Klicka här", "https://www.solvesborg.se/a"), Block.Link("Läs mer »", "https://www.solvesborg.se/b"),
            Block.Link("https://polisen.se/", "https://polisen.se/"), Block.Link("www.solvesborg.se", "https://www.solvesborg.se/"),
            Block.Link("här", "https://www.solvesborg.se/c"),
            // Fine: says where it leads.
            Block.Link("Läs mer om medborgarlöften på polisens webbplats", "https://polisen.se/medborgarloften"),
        ]);
        Assert.That(warnings, Is.EqualTo(Enumerable.Range(0, 5).Select(i => ((string?)"VagueLinkText", (int?)i, (string?)"Link", (string?)$"body[{i}].text"))));
    }

    [Test]
    public async Task AnAltTextThatIsAFileNameIsWarnedAbout()
    {
        var named = Photo("IMG_2034.JPG");
        var camera = Photo("DSC_0042");
        var fine = Photo("Barn klättrar i en ny klätterställning.");
        var warnings = await WarningsAsync([Block.Paragraph("Text."), Block.Image(named.Id), Block.Image(camera.Id), Block.Image(fine.Id)],
            named, camera, fine);
        Assert.That(warnings, Is.EqualTo(new[]
        {
            ((string?)"AltTextIsFileName", (int?)1, (string?)"Image", (string?)"body[1].photoId"), ("AltTextIsFileName", 2, "Image", "body[2].photoId"),
        }));
    }

    [Test]
    public async Task AnAltTextThatRepeatsTheCaptionIsWarnedAbout()
    {
        // ContentBuilder's photos have the caption "Hamnen en vårdag."; a block's own caption replaces it.
        var same = Photo("hamnen en vårdag");
        var other = Photo("Segelbåtar i hamnen i Sölvesborg.");
        var warnings = await WarningsAsync(
            [Block.Image(same.Id), Block.Image(other.Id, caption: "Segelbåtar i hamnen i Sölvesborg"), Block.Image(same.Id, caption: "Sommar")],
            same, other);
        Assert.That(warnings, Is.EqualTo(new[]
        {
            ((string?)"AltTextRepeatsCaption", (int?)0, (string?)"Image", (string?)"body[0].photoId"), ("AltTextRepeatsCaption", 1, "Image", "body[1].photoId"),
        }));
    }

    [Test]
    public async Task AnAltTextLongerThanTheLimitIsWarnedAbout()
    {
        var longest = Photo(new string('a', 249) + ".");
        var tooLong = Photo(new string('b', 250) + ".");
        var hero = Photo(new string('c', 300));
        var draft = Article("Vi bygger en ny lekplats", ContentStatus.Draft);
        draft.HeroPhotoId = hero.Id;
        draft.Body = [Block.Image(longest.Id), Block.Image(tooLong.Id)];
        await SaveAsync(longest, tooLong, hero, draft);
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var warnings = (await GetJson(editor, $"/api/articles/{draft.Id}"))["warnings"]!.AsArray();
        // The hero photo is no block: the warning names the field only.
        Assert.That(warnings.Select(w => ((string?)w!["code"], (int?)w["block"], (string?)w["field"])), Is.EqualTo(new[]
        {
            ((string?)"AltTextTooLong", (int?)null, (string?)"heroPhotoId"), ("AltTextTooLong", 1, "body[1].photoId"),
        }));
        Assert.That((string?)warnings[1]!["message"], Does.Contain("251 characters, more than 250"));
    }

    [Test]
    public async Task AnEmptyListIsWarnedAbout()
    {
        var warnings = await WarningsAsync([Block.List(["-", " • "]), Block.List(["Trafik", "-"])]);
        Assert.That(warnings, Is.EqualTo(new[] { ((string?)"EmptyList", (int?)0, (string?)"List", (string?)"body[0].items") }));
    }

    [Test]
    public async Task AnEmptyQuoteIsWarnedAbout()
    {
        var warnings = await WarningsAsync([Block.Quote("”…”", "Okänd"), Block.Quote("Kör lugnt!", null)]);
        Assert.That(warnings, Is.EqualTo(new[] { ((string?)"EmptyQuote", (int?)0, (string?)"Quote", (string?)"body[0].text") }));
    }
}
