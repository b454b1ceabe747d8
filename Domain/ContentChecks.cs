using System.Text.RegularExpressions;

namespace ContentApi.Domain;

/// <summary>What a warning is about; the names are the API's (<c>"code": "VagueLinkText"</c>).</summary>
public enum WarningCode
{
    /// <summary>The text's LIX is above the configured threshold: hard to read (klarspråk).</summary>
    LixAboveThreshold,
    /// <summary>A heading goes down more than one level (h2 to h4, or the first heading is not h2).</summary>
    HeadingLevelSkipped,
    /// <summary>A link's text says nothing on its own ("klicka här", "läs mer", a bare URL, no text).</summary>
    VagueLinkText,
    /// <summary>A photo's alt text is a file name ("IMG_2034.jpg").</summary>
    AltTextIsFileName,
    /// <summary>A photo's alt text is its caption word for word: a screen reader reads the same thing twice.</summary>
    AltTextRepeatsCaption,
    /// <summary>A photo's alt text is longer than a screen reader user will sit through.</summary>
    AltTextTooLong,
    /// <summary>A list none of whose items holds a letter or digit.</summary>
    EmptyList,
    /// <summary>A quote whose text holds no letter or digit.</summary>
    EmptyQuote,
}

/// <summary>
/// Something an editor should look at before or after publishing; it refuses nothing. <c>block</c> and
/// <c>blockType</c> say which body block it is about (0-based, as in <c>body[n]</c>), <c>field</c> the field's path as
/// validation errors name it (<c>body[3].level</c>, <c>heroPhotoId</c>); a warning about the whole text has neither.
/// </summary>
public sealed record ContentWarning(WarningCode Code, string Message, int? Block = null, BlockType? BlockType = null, string? Field = null);

/// <summary>The text a check needs of a photo an article shows.</summary>
public readonly record struct PhotoText(string AltText, bool Decorative, string? Caption);

/// <summary>The configurable limits of the checks.</summary>
public sealed record ContentCheckLimits(double LixWarningThreshold, int AltTextMaxLength);

/// <summary>
/// Plain-language and accessibility checks of an article's content (DOS-lagen asks for accessible content, not only
/// accessible code). Warnings, not refusals: the publish answer and an editor's read of the article list them.
/// </summary>
public static partial class ContentChecks
{
    /// <summary>Link texts that say nothing on their own, compared without case, spaces at the ends and punctuation.</summary>
    public static readonly IReadOnlySet<string> VagueLinkTexts = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "här", "klicka här", "klicka", "tryck här", "läs mer", "läs mer här", "mer", "mer info", "mer information",
        "länk", "länken", "denna länk", "den här länken", "till sidan", "gå till", "se här", "info", "information",
        "here", "click here", "read more", "more", "link", "this link", "more info",
    };

    public static List<ContentWarning> Check(
        double? lix, IReadOnlyList<Block?> body, Guid? heroPhotoId, IReadOnlyDictionary<Guid, PhotoText> photos, ContentCheckLimits limits)
    {
        var warnings = new List<ContentWarning>();
        if (lix >= limits.LixWarningThreshold)
            warnings.Add(new(WarningCode.LixAboveThreshold,
                $"LIX {lix:0.0} ({Readability.LevelOf(lix)}) is {limits.LixWarningThreshold:0.#} or more: shorter sentences and shorter, everyday words make the text easier to read."));
        if (heroPhotoId is { } hero && photos.TryGetValue(hero, out var heroPhoto))
            CheckAltText(heroPhoto, null, null, "heroPhotoId", limits, warnings);
        var previousLevel = 1;
        for (var i = 0; i < body.Count; i++)
        {
            if (body[i] is not { } block)
                continue;
            var at = $"body[{i}]";
            switch (block.Type)
            {
                case BlockType.Heading:
                    var level = block.Level ?? 2;
                    if (level > previousLevel + 1)
                        warnings.Add(new(WarningCode.HeadingLevelSkipped,
                            $"{at} is a level {level} heading after {(previousLevel == 1 ? "the title (level 1)" : $"a level {previousLevel} heading")}: screen reader users navigate by headings and miss the level between. Use level {previousLevel + 1}.",
                            i, block.Type, $"{at}.level"));
                    previousLevel = level;
                    break;
                case BlockType.Link when IsVague(block.Text, block.Url):
                    warnings.Add(new(WarningCode.VagueLinkText,
                        $"{at}'s link text \"{block.Text}\" says nothing on its own (screen readers list links out of context): say where it leads, e.g. \"Medborgarlöften på polisens webbplats\".",
                        i, block.Type, $"{at}.text"));
                    break;
                case BlockType.Image when block.PhotoId is { } photoId && photos.TryGetValue(photoId, out var photo):
                    CheckAltText(photo, block.Caption, i, $"{at}.photoId", limits, warnings);
                    break;
                case BlockType.List when !(block.Items ?? []).Any(HasWords):
                    warnings.Add(new(WarningCode.EmptyList,
                        $"{at} is a list without any text: screen readers announce an empty list. Remove it or write its items.", i, block.Type, $"{at}.items"));
                    break;
                case BlockType.Quote when !HasWords(block.Text):
                    warnings.Add(new(WarningCode.EmptyQuote,
                        $"{at} is a quote without any text: remove it or write what was said.", i, block.Type, $"{at}.text"));
                    break;
            }
        }
        return warnings;
    }

    private static void CheckAltText(PhotoText photo, string? blockCaption, int? index, string field, ContentCheckLimits limits, List<ContentWarning> warnings)
    {
        if (photo.Decorative || string.IsNullOrWhiteSpace(photo.AltText))
            return;
        var type = index is null ? (BlockType?)null : BlockType.Image;
        var alt = photo.AltText.Trim();
        if (FileName().IsMatch(alt))
            warnings.Add(new(WarningCode.AltTextIsFileName,
                $"The alt text of the photo in {field} is a file name (\"{alt}\"): describe what the picture shows.", index, type, field));
        var caption = blockCaption ?? photo.Caption;
        if (caption is not null && Normalize(caption) is { Length: > 0 } normalized && Normalize(alt) == normalized)
            warnings.Add(new(WarningCode.AltTextRepeatsCaption,
                $"The alt text of the photo in {field} repeats its caption word for word: a screen reader reads both. Describe what the picture shows; the caption tells the rest.", index, type, field));
        if (alt.Length > limits.AltTextMaxLength)
            warnings.Add(new(WarningCode.AltTextTooLong,
                $"The alt text of the photo in {field} is {alt.Length} characters, more than {limits.AltTextMaxLength}: say what matters in the picture and put the rest in the caption or the text.", index, type, field));
    }

    /// <summary>A link whose text is empty, a bare address, or one of <see cref="VagueLinkTexts"/>.</summary>
    public static bool IsVague(string? text, string? url)
    {
        var normalized = Normalize(text ?? "");
        if (normalized.Length == 0 || VagueLinkTexts.Contains(normalized))
            return true;
        var trimmed = text!.Trim();
        return trimmed.Equals(url?.Trim(), StringComparison.OrdinalIgnoreCase)
            || trimmed.StartsWith("www.", StringComparison.OrdinalIgnoreCase)
            || (Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "mailto");
    }

    private static bool HasWords(string? text) => text is not null && text.Any(char.IsLetterOrDigit);

    /// <summary>Lower case, words separated by one space, no punctuation: "Läs mer »" and "läs  mer" are the same.</summary>
    private static string Normalize(string text) => NotWord().Replace(text, " ").Trim().ToLowerInvariant();

    [GeneratedRegex(@"[^\p{L}\p{N}]+")]
    private static partial Regex NotWord();

    // A name with an image file's extension and no space ("IMG_2034.JPG", "hamnen-sommar.webp"), or a camera's
    // numbered name without one ("DSC_0042", "IMG-20240212-WA0003").
    [GeneratedRegex(@"^(\S+\.(jpe?g|png|gif|webp|avif|heic|heif|tiff?|bmp|svg)|(img|dsc|dscn|dcim|pxl|p|photo|bild)[_-]?\d[\w-]*)$", RegexOptions.IgnoreCase)]
    private static partial Regex FileName();
}
