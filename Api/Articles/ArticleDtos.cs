using System.Linq.Expressions;
using System.Text.Json.Serialization;
using ContentApi.Api.Contacts;
using ContentApi.Api.Photos;
using ContentApi.Domain;
using ContentApi.Infrastructure;

namespace ContentApi.Api.Articles;

/// <summary>
/// An article as a list shows it. <c>hasPendingChanges</c> is for editors only (see <see cref="ArticleDto"/>);
/// <c>lix</c> and <c>readingLevel</c> as in <see cref="ArticleDto"/>.
/// </summary>
public record ArticleSummaryDto(
    Guid Id, string Slug, string Title, string Lead, string? Summary, List<string> Tags,
    DateTimeOffset? PublishedAt, DateTimeOffset UpdatedAt, PhotoDto? HeroPhoto, double? Lix, ReadingLevel? ReadingLevel,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? HasPendingChanges)
{
    // The photo projection is inlined by hand: EF translates nested expressions only when they are written out.
    public static readonly Expression<Func<Article, ArticleSummaryDto>> Projection = a => new ArticleSummaryDto(
        a.Id, a.Slug, a.Title, a.Lead, a.Summary, a.Tags, a.PublishedAt, a.UpdatedAt,
        a.HeroPhoto == null ? null : new PhotoDto(a.HeroPhoto.Id, a.HeroPhoto.AltText, a.HeroPhoto.Decorative,
            a.HeroPhoto.Caption, a.HeroPhoto.Credit, a.HeroPhoto.Width, a.HeroPhoto.Height, a.HeroPhoto.MediaType,
            a.HeroPhoto.ByteSize, a.HeroPhoto.Sha256, a.HeroPhoto.DominantColor, a.HeroPhoto.FocalX, a.HeroPhoto.FocalY,
            a.HeroPhoto.UpdatedAt),
        a.Lix, Readability.LevelOf(a.Lix),
        a.HasPendingChanges);
}

/// <summary>The pledge an article is about, in brief.</summary>
public record PledgeReferenceDto(Guid Id, int Year, string Title, DateOnly ValidFrom, DateOnly ValidTo);

/// <summary>
/// One article with everything its page needs: the body as blocks (for the app) and as escaped HTML (for the website),
/// the hero photo, the contacts, and the related pledge. Editors see the version they work on; <c>hasPendingChanges</c>
/// (editors only) is true when that is a pending version readers do not see yet.
/// <c>lix</c> is the text's LIX, the Swedish readability index (words per sentence + 100 × words of more than six
/// letters per word, over title, lead and body text; the README's "Content quality" says what counts), one decimal,
/// null without any word; <c>readingLevel</c> its band: VeryEasy (under 25), Easy (25–34), Medium (35–44), Difficult
/// (45–54), VeryDifficult (55 and over). <c>warnings</c> (editors only; the publish answer carries them too):
/// plain-language and accessibility warnings about the version shown, each with the body block it concerns; they
/// refuse nothing, and the list is empty when there is nothing to say.
/// </summary>
public record ArticleDto(
    Guid Id, string Slug, string Title, string Lead, string? Summary, List<string> Tags, ContentStatus Status,
    DateTimeOffset? PublishedAt, DateTimeOffset UpdatedAt,
    List<Block> Body, string BodyHtml, PhotoDto? HeroPhoto, List<ContactDto> Contacts, PledgeReferenceDto? Pledge,
    List<PhotoDto> BodyPhotos, double? Lix, ReadingLevel? ReadingLevel,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? HasPendingChanges,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] List<ContentWarning>? Warnings = null);

/// <summary>
/// What the article query loads, in one round trip: the article, its hero photo, contacts and pledge, and the photos it
/// shows (<see cref="Article.PhotoIds"/>, for the body's image blocks); the HTML is rendered afterwards.
/// </summary>
internal record ArticleRow(
    Guid Id, string Slug, string Title, string Lead, string? Summary, List<string> Tags, ContentStatus Status,
    DateTimeOffset? PublishedAt, DateTimeOffset UpdatedAt, List<Block> Body, PhotoDto? HeroPhoto,
    List<ContactDto> Contacts, PledgeReferenceDto? Pledge, List<PhotoDto> Photos, int Version, bool? HasPendingChanges, double? Lix)
{
    // The hero photo is written out as in ArticleSummaryDto (EF Core translates a reference navigation's projection only
    // when it is inlined), so only the columns the answer shows are read. The photos are read through the context
    // (there is no navigation to them); the context and the article are the parameters.
    public static readonly Expression<Func<ContentDbContext, Article, ArticleRow>> Projection = (db, a) => new ArticleRow(
        a.Id, a.Slug, a.Title, a.Lead, a.Summary, a.Tags, a.Status, a.PublishedAt, a.UpdatedAt, a.Body,
        a.HeroPhoto == null ? null : new PhotoDto(a.HeroPhoto.Id, a.HeroPhoto.AltText, a.HeroPhoto.Decorative,
            a.HeroPhoto.Caption, a.HeroPhoto.Credit, a.HeroPhoto.Width, a.HeroPhoto.Height, a.HeroPhoto.MediaType,
            a.HeroPhoto.ByteSize, a.HeroPhoto.Sha256, a.HeroPhoto.DominantColor, a.HeroPhoto.FocalX, a.HeroPhoto.FocalY,
            a.HeroPhoto.UpdatedAt),
        a.Contacts.AsQueryable().OrderBy(c => c.Name).Select(ContactDto.Projection).ToList(),
        // The face's filters decide whether the pledge is seen (a published article may point at a draft pledge).
        a.Pledge == null
            ? null
            : new PledgeReferenceDto(a.Pledge.Id, a.Pledge.Year, a.Pledge.Title, a.Pledge.ValidFrom, a.Pledge.ValidTo),
        // The photos of the body's image blocks (the hero is read above): most articles have none, and this reads none.
        // From the array, so that PostgreSQL finds each photo by its key.
        a.PhotoIds.AsQueryable().Where(id => id != a.HeroPhotoId).Join(db.Photos, id => id, p => p.Id, (_, p) => p)
            .Select(PhotoDto.Projection).ToList(),
        a.Version, a.HasPendingChanges, a.Lix);
}
