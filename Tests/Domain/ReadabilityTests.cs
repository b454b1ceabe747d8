using ContentApi.Domain;

namespace ContentApi.Tests.Domain;

/// <summary>
/// LIX = W / S + 100 × L / W (W words, S sentences, L words of more than six letters), against values worked out by
/// hand with the rules of <see cref="Readability"/>. Each comment lists the units, their words (long ones marked *),
/// and where sentences end.
/// </summary>
public class ReadabilityTests
{
    [Test]
    public void AnEasyText()
    {
        // Title "Vi bygger en ny lekplats": Vi, bygger, en, ny, lekplats* (8) — 5 words, 1 long, 1 sentence (the unit ends).
        // Lead "Lekplatsen öppnar i maj.": Lekplatsen* (10), öppnar (6: not long), i, maj — 4 words, 1 long, 1 sentence.
        // Paragraph "Barnen får gunga och klättra. Välkomna!": Barnen (6), får, gunga, och, klättra* (7) | Välkomna* (8)
        //   — 6 words, 2 long, 2 sentences.
        // W = 15, L = 4, S = 4: 15 / 4 + 100 × 4 / 15 = 3.75 + 26.67 = 30.42 → 30.4, Easy.
        var lix = Readability.Lix("Vi bygger en ny lekplats", "Lekplatsen öppnar i maj.",
            [Block.Paragraph("Barnen får gunga och klättra. Välkomna!")]);
        Assert.That(lix, Is.EqualTo(30.4));
        Assert.That(Readability.LevelOf(lix), Is.EqualTo(ReadingLevel.Easy));
    }

    [Test]
    public void EveryKindOfBlockWithJoinedWordsAndAnAbbreviation()
    {
        // Title "Trafiksäkerhet vid A-traktorer": Trafiksäkerhet* (14), vid, A-traktorer* (10: the hyphen joins)
        //   — 3 words, 2 long, 1 sentence.
        // Lead "": nothing.
        // Heading "Kl. 18.30 i dag": Kl | 18.30 (one word: the full stop joins digits), i, dag — 4 words, 0 long,
        //   2 sentences ("Kl." is followed by a space, so it ends one, as in every counter without a list of abbreviations).
        // List "Hjälm", "Bilbälte": Hjälm (5) | Bilbälte* (8) — 2 words, 1 long, 2 sentences (an item is a unit).
        // Quote "Kör lugnt!" (its attribution does not count): Kör, lugnt — 2 words, 0 long, 1 sentence.
        // Link "Läs om trafikregler" (its url does not count): Läs, om, trafikregler* (11) — 3 words, 1 long, 1 sentence.
        // Image (its caption does not count): nothing.
        // W = 14, L = 4, S = 7: 14 / 7 + 100 × 4 / 14 = 2 + 28.57 = 30.57 → 30.6, Easy.
        var counts = Readability.Count(Readability.Units("Trafiksäkerhet vid A-traktorer", "",
        [
            Block.Heading("Kl. 18.30 i dag"), Block.List(["Hjälm", "Bilbälte"]), Block.Quote("Kör lugnt!", "Polisen i Sölvesborg"),
            Block.Link("Läs om trafikregler", "https://polisen.se/trafikregler"), Block.Image(Guid.NewGuid(), "Bildtexten räknas inte alls"),
        ]));
        Assert.That(counts, Is.EqualTo(new TextCounts(Words: 14, LongWords: 4, Sentences: 7)));
        Assert.That(Readability.Lix(counts), Is.EqualTo(30.6));
    }

    [Test]
    public void SentenceEndsInARowAndAfterAQuotationMarkCountOnce()
    {
        // Title "\"Stopp!\" sa hon. Vad?!": Stopp | sa, hon | Vad — 4 words, 0 long, 3 sentences ("!" then the closing
        //   quotation mark then a space; "." then a space; "?!" at the end, one run). Lead "...": no word, no sentence.
        // 4 / 3 + 0 = 1.33 → 1.3, VeryEasy.
        var lix = Readability.Lix("\"Stopp!\" sa hon. Vad?!", "...", []);
        Assert.That(lix, Is.EqualTo(1.3));
        Assert.That(Readability.LevelOf(lix), Is.EqualTo(ReadingLevel.VeryEasy));
    }

    [Test]
    public void LongWordsOnly()
    {
        // Samverkansöverenskommelsen* (25), undertecknades* (14): 2 words, 2 long, 1 sentence: 2 / 1 + 100 × 2 / 2 = 102.0.
        var lix = Readability.Lix("Samverkansöverenskommelsen undertecknades", "", []);
        Assert.That(lix, Is.EqualTo(102.0));
        Assert.That(Readability.LevelOf(lix), Is.EqualTo(ReadingLevel.VeryDifficult));
    }

    [Test]
    public void ATextWithoutWordsHasNoLix()
    {
        Assert.That(Readability.Lix("–", " ", [Block.Paragraph("... !")]), Is.Null);
        Assert.That(Readability.LevelOf(null), Is.Null);
    }

    [TestCase(24.9, ReadingLevel.VeryEasy)]
    [TestCase(25.0, ReadingLevel.Easy)]
    [TestCase(34.9, ReadingLevel.Easy)]
    [TestCase(35.0, ReadingLevel.Medium)]
    [TestCase(44.9, ReadingLevel.Medium)]
    [TestCase(45.0, ReadingLevel.Difficult)]
    [TestCase(54.9, ReadingLevel.Difficult)]
    [TestCase(55.0, ReadingLevel.VeryDifficult)]
    public void ReadingLevelsFollowTheUsualBands(double lix, ReadingLevel level) =>
        Assert.That(Readability.LevelOf(lix), Is.EqualTo(level));
}
