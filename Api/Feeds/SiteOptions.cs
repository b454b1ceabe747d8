namespace ContentApi.Api.Feeds;

/// <summary>
/// The website the feeds point readers to (section <c>Site</c>): an article's page there, the site's address and its
/// name. Unset, the feeds point to the API's own addresses.
/// </summary>
public sealed class SiteOptions
{
    public const string Section = "Site";
    private const string SlugPlaceholder = "{slug}";
    private const string IdPlaceholder = "{id}";

    /// <summary>
    /// An article's page on the website, with <c>{slug}</c> or <c>{id}</c> where the article goes, e.g.
    /// <c>https://www.solvesborg.se/nyheter/{slug}</c>. Unset: the API's own REST address of the article.
    /// </summary>
    public string? ArticleUrlTemplate { get; set; }

    /// <summary>The website's home page, the feeds' <c>link</c>. Unset: the API's public address.</summary>
    public string? Url { get; set; }

    /// <summary>Who publishes the news: the feeds' title and author.</summary>
    public string Name { get; set; } = "Sölvesborgs kommun";

    /// <summary>The article's page from <see cref="ArticleUrlTemplate"/>, or null when none is set.</summary>
    public string? ArticleUrl(Guid id, string slug) =>
        string.IsNullOrWhiteSpace(ArticleUrlTemplate)
            ? null
            : ArticleUrlTemplate.Replace(SlugPlaceholder, Uri.EscapeDataString(slug), StringComparison.OrdinalIgnoreCase)
                .Replace(IdPlaceholder, id.ToString(), StringComparison.OrdinalIgnoreCase);

    /// <summary>What is wrong with the settings, for the start-up to stop with; null when they are fine.</summary>
    public string? Problem()
    {
        if (!string.IsNullOrWhiteSpace(ArticleUrlTemplate)
            && (!(ArticleUrlTemplate.Contains(SlugPlaceholder, StringComparison.OrdinalIgnoreCase)
                    || ArticleUrlTemplate.Contains(IdPlaceholder, StringComparison.OrdinalIgnoreCase))
                || !IsWebAddress(ArticleUrl(Guid.Empty, "slug"))))
            return $"{Section}:{nameof(ArticleUrlTemplate)} must be an absolute http or https address with {SlugPlaceholder} or {IdPlaceholder} "
                + $"where the article goes, such as https://www.solvesborg.se/nyheter/{SlugPlaceholder} (got '{ArticleUrlTemplate}').";
        if (!string.IsNullOrWhiteSpace(Url) && !IsWebAddress(Url))
            return $"{Section}:{nameof(Url)} must be an absolute http or https address, such as https://www.solvesborg.se/ (got '{Url}').";
        if (string.IsNullOrWhiteSpace(Name))
            return $"{Section}:{nameof(Name)} may not be empty: it is the feeds' title and author.";
        return null;
    }

    private static bool IsWebAddress(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
}

/// <summary>Stops the start with what is wrong in <see cref="SiteOptions"/>.</summary>
internal sealed class SiteOptionsValidation : Microsoft.Extensions.Options.IValidateOptions<SiteOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, SiteOptions options) =>
        options.Problem() is { } problem
            ? Microsoft.Extensions.Options.ValidateOptionsResult.Fail(problem)
            : Microsoft.Extensions.Options.ValidateOptionsResult.Success;
}
