using ContentApi.Domain;

namespace ContentApi.Api.Reading;

/// <summary>
/// One tag of one article the caller sees: a row per (article, tag), so that tags can be grouped and counted. An
/// article's tags are a list in one column (a PostgreSQL <c>text[]</c>), and OData's <c>$apply=groupby</c> groups by
/// single values only, so "articles per tag per month" is asked of these rows, which PostgreSQL makes with
/// <c>unnest(tags)</c> from the reader's own articles (<see cref="ContentReader.ArticleTags"/>): a draft's tags are
/// never counted for an anonymous caller, and nothing is evaluated outside the database.
/// </summary>
public sealed class ArticleTag
{
    public Guid ArticleId { get; init; }
    public string Tag { get; init; } = "";
    public ContentStatus Status { get; init; }
    public DateTimeOffset? PublishedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}
