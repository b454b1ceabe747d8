namespace ContentApi.Domain;

/// <summary>
/// What an editor writes in an article: everything but its status and timestamps. A published article keeps its live
/// content in its columns and a pending new version here until that is published.
/// </summary>
public record ArticleContent
{
    public string Title { get; init; } = "";
    public string? Slug { get; init; }
    public string Lead { get; init; } = "";
    public string? Summary { get; init; }
    public List<Block> Body { get; init; } = [];
    public List<string> Tags { get; init; } = [];
    public Guid? HeroPhotoId { get; init; }
    public Guid? PledgeId { get; init; }
    public List<Guid> ContactIds { get; init; } = [];

    public const int MaxBlocks = 500;

    /// <summary>The ids of every photo the content shows.</summary>
    public IEnumerable<Guid> PhotoIds() => Body.Where(b => b?.Type == BlockType.Image && b.PhotoId is not null)
        .Select(b => b.PhotoId!.Value).Prepend(HeroPhotoId ?? Guid.Empty).Where(id => id != Guid.Empty).Distinct();

    /// <summary>Checks every field against its limits; references to other content are checked by the caller.</summary>
    public ValidationErrors Validate()
    {
        var errors = new ValidationErrors();
        errors.Required("title", Title, Article.TitleMaxLength);
        if (Slug is not null && !Domain.Slug.IsValid(Slug))
            errors.Add("slug", $"slug may hold only a-z, 0-9 and single dashes between them, at most {Domain.Slug.MaxLength} characters.");
        if (Title.Length > 0 && Slug is null && Domain.Slug.FromTitle(Title).Length == 0)
            errors.Add("slug", "The title has no letters or digits to make a slug from; give a slug.");
        errors.MaxLength("lead", Lead, Article.LeadMaxLength);
        errors.MaxLength("summary", Summary, Article.SummaryMaxLength);
        if (Tags.Count > Article.MaxTags)
            errors.Add("tags", $"An article may have at most {Article.MaxTags} tags.");
        for (var i = 0; i < Tags.Count; i++)
            errors.Required($"tags[{i}]", Tags[i], Article.TagMaxLength);
        if (Tags.Distinct(StringComparer.OrdinalIgnoreCase).Count() != Tags.Count)
            errors.Add("tags", "Each tag may appear once.");
        if (Body.Count > MaxBlocks)
            errors.Add("body", $"The body may have at most {MaxBlocks} blocks.");
        for (var i = 0; i < Body.Count; i++)
            if (Body[i] is null)
                errors.Add($"body[{i}]", $"body[{i}] is null: a block is an object with a type.");
            else
                BodyRules.Validate(Body[i], $"body[{i}]", errors);
        if (ContactIds.Distinct().Count() != ContactIds.Count)
            errors.Add("contactIds", "Each contact may appear once.");
        return errors;
    }

    /// <summary>What publishing needs beyond valid fields: a title, a lead and a body.</summary>
    public ValidationErrors ValidateForPublishing()
    {
        var errors = Validate();
        if (string.IsNullOrWhiteSpace(Lead))
            errors.Add("lead", "A published article needs a lead (ingress).");
        if (Body.Count == 0)
            errors.Add("body", "A published article needs a body with at least one block.");
        return errors;
    }
}

/// <summary>The schema of body blocks: which fields each kind needs.</summary>
public static class BodyRules
{
    public const int ItemMaxLength = 1_000;
    public const int MaxItems = 100;
    public const int AttributionMaxLength = 200;

    public static void Validate(Block block, string path, ValidationErrors errors)
    {
        switch (block.Type)
        {
            case BlockType.Paragraph:
                errors.Required($"{path}.text", block.Text, Block.TextMaxLength);
                break;
            case BlockType.Heading:
                errors.Required($"{path}.text", block.Text, Article.TitleMaxLength);
                if (block.Level is not (null or >= 2 and <= 4))
                    errors.Add($"{path}.level", "A heading's level is 2, 3 or 4 (the article title is level 1).");
                break;
            case BlockType.Quote:
                errors.Required($"{path}.text", block.Text, Block.TextMaxLength);
                errors.MaxLength($"{path}.attribution", block.Attribution, AttributionMaxLength);
                break;
            case BlockType.List:
                if (block.Items is not { Count: > 0 })
                    errors.Add($"{path}.items", "A list needs at least one item.");
                else if (block.Items.Count > MaxItems)
                    errors.Add($"{path}.items", $"A list may have at most {MaxItems} items.");
                else
                    for (var i = 0; i < block.Items.Count; i++)
                        errors.Required($"{path}.items[{i}]", block.Items[i], ItemMaxLength);
                break;
            case BlockType.Link:
                errors.MaxLength($"{path}.text", block.Text, ItemMaxLength);
                if (string.IsNullOrWhiteSpace(block.Url))
                    errors.Add($"{path}.url", "A link needs a url.");
                else if (block.Url.Length > Block.UrlMaxLength
                    || !Uri.TryCreate(block.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "mailto"))
                    errors.Add($"{path}.url", "A link's url must be an absolute http, https or mailto address.");
                break;
            case BlockType.Image:
                if (block.PhotoId is null || block.PhotoId == Guid.Empty)
                    errors.Add($"{path}.photoId", "An image block needs the id of a photo.");
                errors.MaxLength($"{path}.caption", block.Caption, Photo.CaptionMaxLength);
                break;
            default:
                errors.Add($"{path}.type", "Unknown block type; use Paragraph, Heading, Quote, List, Link or Image.");
                break;
        }
    }
}
