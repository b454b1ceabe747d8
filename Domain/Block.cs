namespace ContentApi.Domain;

public enum BlockType
{
    Paragraph,
    Heading,
    Quote,
    List,
    Link,
    Image,
}

/// <summary>
/// One block of an article body. A flat record rather than a class per kind: it maps to a JSON column and to an
/// OData complex type without polymorphism, and <see cref="BodyRules"/> says which fields each kind uses.
/// </summary>
public class Block
{
    public const int TextMaxLength = 10_000;
    public const int UrlMaxLength = 2_000;

    public BlockType Type { get; set; }
    /// <summary>Paragraph, heading and quote text; a link's visible text.</summary>
    public string? Text { get; set; }
    /// <summary>Heading level, 2 to 4 (the page's title is the h1).</summary>
    public int? Level { get; set; }
    /// <summary>Who said a quote.</summary>
    public string? Attribution { get; set; }
    /// <summary>List items.</summary>
    public List<string>? Items { get; set; }
    /// <summary>True for a numbered list.</summary>
    public bool? Ordered { get; set; }
    /// <summary>A link's target (http, https or mailto).</summary>
    public string? Url { get; set; }
    /// <summary>The photo an image block shows.</summary>
    public Guid? PhotoId { get; set; }
    /// <summary>A caption for this use of the photo; the photo's own caption applies when absent.</summary>
    public string? Caption { get; set; }

    public static Block Paragraph(string text) => new() { Type = BlockType.Paragraph, Text = text };
    public static Block Heading(string text, int level = 2) => new() { Type = BlockType.Heading, Text = text, Level = level };
    public static Block Quote(string text, string? attribution) => new() { Type = BlockType.Quote, Text = text, Attribution = attribution };
    public static Block List(IEnumerable<string> items, bool ordered = false) => new() { Type = BlockType.List, Items = [.. items], Ordered = ordered };
    public static Block Link(string text, string url) => new() { Type = BlockType.Link, Text = text, Url = url };
    public static Block Image(Guid photoId, string? caption = null) => new() { Type = BlockType.Image, PhotoId = photoId, Caption = caption };
}
