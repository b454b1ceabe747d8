namespace ContentApi.Domain;

/// <summary>How hard a text is to read, in the bands LIX is usually read with.</summary>
public enum ReadingLevel
{
    /// <summary>LIX under 25: children's books (mycket lättläst).</summary>
    VeryEasy,
    /// <summary>LIX 25 to under 35: easy-reading fiction, popular magazines (lättläst).</summary>
    Easy,
    /// <summary>LIX 35 to under 45: newspapers, ordinary non-fiction (medelsvår).</summary>
    Medium,
    /// <summary>LIX 45 to under 55: official texts, textbooks (svår).</summary>
    Difficult,
    /// <summary>LIX 55 and over: bureaucratic Swedish, legal and research texts (mycket svår).</summary>
    VeryDifficult,
}

/// <summary>
/// LIX (läsbarhetsindex, Björnsson 1968), the Swedish readability index: words per sentence plus the share of long
/// words in per cent, LIX = W / S + 100 × L / W, over an article's title, lead and body text. Rounded to one decimal
/// (half away from zero); null when the text has no word.
/// </summary>
/// <remarks>
/// What counts, exactly (so that a value can be worked out by hand):
/// <list type="bullet">
/// <item>The text is the title, the lead, and of the body the text of paragraphs, headings and quotes, every list
/// item and a link's visible text; each of them is a unit of its own. Quote attributions, image captions, alt texts
/// and URLs are not running text and do not count.</item>
/// <item>A <b>word</b> is a run of letters and digits (any alphabet: å, ä, ö, é, ü are letters; "2024" is a word).
/// A hyphen, apostrophe, colon or full stop between two letters or digits joins them into one word: "A-traktorer",
/// "T:na", "t.ex" and "18.30" are one word each. Anything else (spaces, dashes between spaces, commas, brackets,
/// quotation marks, slashes) separates words.</item>
/// <item>A word is <b>long</b> when it has more than six letters and digits ("trafiken" 8: long; "polisen" 7: long;
/// "kommun" 6: not; "A-traktorer" 10: long).</item>
/// <item>A <b>sentence</b> ends with a full stop, exclamation mark, question mark or colon that is followed by a space
/// or ends the unit (a closing quotation mark or bracket may come between) ("Hej! Vad?" is two; "?!" or "..." count once), and every unit ends one: a heading or list item
/// without a full stop is a sentence of its own. A sentence without a word ("– ." ) is not counted. A full stop after
/// an abbreviation followed by a space ("t.ex. när") ends a sentence, as in every LIX counter that does not keep a
/// list of abbreviations.</item>
/// </list>
/// </remarks>
public static class Readability
{
    /// <summary>A word with more letters than this is long.</summary>
    public const int LongWordLength = 6;

    /// <summary>The LIX of an article's text (title, lead and body), null when it has no word.</summary>
    public static double? Lix(string? title, string? lead, IEnumerable<Block?> body) => Lix(Count(Units(title, lead, body)));

    public static double? Lix(ArticleContent content) => Lix(content.Title, content.Lead, content.Body);

    /// <summary>W / S + 100 × L / W, rounded to one decimal; null without words.</summary>
    public static double? Lix(TextCounts counts) => counts.Words == 0
        ? null
        : Math.Round((double)counts.Words / counts.Sentences + 100.0 * counts.LongWords / counts.Words, 1, MidpointRounding.AwayFromZero);

    /// <summary>The reading level of a LIX value: under 25, 35, 45, 55, and over.</summary>
    public static ReadingLevel? LevelOf(double? lix) => lix switch
    {
        null => null,
        < 25 => ReadingLevel.VeryEasy,
        < 35 => ReadingLevel.Easy,
        < 45 => ReadingLevel.Medium,
        < 55 => ReadingLevel.Difficult,
        _ => ReadingLevel.VeryDifficult,
    };

    /// <summary>The units of running text of an article, in reading order (see the remarks of <see cref="Readability"/>).</summary>
    public static IEnumerable<string?> Units(string? title, string? lead, IEnumerable<Block?> body)
    {
        yield return title;
        yield return lead;
        foreach (var block in body)
        {
            switch (block?.Type)
            {
                case BlockType.Paragraph or BlockType.Heading or BlockType.Quote or BlockType.Link:
                    yield return block.Text;
                    break;
                case BlockType.List:
                    foreach (var item in block.Items ?? [])
                        yield return item;
                    break;
            }
        }
    }

    /// <summary>Words, long words and sentences of the units together.</summary>
    public static TextCounts Count(IEnumerable<string?> units)
    {
        var total = new TextCounts(0, 0, 0);
        foreach (var unit in units)
            if (!string.IsNullOrEmpty(unit))
                total += CountUnit(unit);
        return total;
    }

    private static TextCounts CountUnit(string text)
    {
        int words = 0, longWords = 0, sentences = 0, wordsInSentence = 0;
        var i = 0;
        while (i < text.Length)
        {
            if (char.IsLetterOrDigit(text[i]))
            {
                var length = 0;
                while (i < text.Length)
                {
                    if (char.IsLetterOrDigit(text[i]))
                        length++;
                    else if (!(IsJoiner(text[i]) && i > 0 && char.IsLetterOrDigit(text[i - 1])
                        && i + 1 < text.Length && char.IsLetterOrDigit(text[i + 1])))
                        break;
                    i++;
                }
                words++;
                wordsInSentence++;
                if (length > LongWordLength)
                    longWords++;
            }
            else if (IsSentenceEnd(text[i]))
            {
                while (i < text.Length && IsSentenceEnd(text[i]))
                    i++;
                // A quotation or bracket may close after the full stop: «"Kom hit." Hon gick.» is two sentences.
                while (i < text.Length && text[i] is '"' or '\u201D' or '\u2019' or '\'' or ')' or ']' or '\u00BB')
                    i++;
                if ((i == text.Length || char.IsWhiteSpace(text[i])) && wordsInSentence > 0)
                {
                    sentences++;
                    wordsInSentence = 0;
                }
            }
            else
                i++;
        }
        if (wordsInSentence > 0)
            sentences++;
        return new TextCounts(words, longWords, sentences);
    }

    private static bool IsJoiner(char c) => c is '-' or '\u2010' or '\u2011' or '\'' or '\u2019' or ':' or '.';

    private static bool IsSentenceEnd(char c) => c is '.' or '!' or '?' or ':';
}

/// <summary>What LIX is computed from: words, long words (more than six letters) and sentences.</summary>
public readonly record struct TextCounts(int Words, int LongWords, int Sentences)
{
    public static TextCounts operator +(TextCounts a, TextCounts b) =>
        new(a.Words + b.Words, a.LongWords + b.LongWords, a.Sentences + b.Sentences);
}
