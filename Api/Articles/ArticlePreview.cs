using ContentApi.Api.Contacts;
using ContentApi.Api.Photos;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Api.Articles;

/// <summary>
/// The editors' view of an article: drafts included, and a published article shown with its pending version when it
/// has one. Editors see it through the same routes as everyone else, and in the answers to their writes.
/// </summary>
public static class ArticlePreview
{
    public static IQueryable<Article> All(ContentDbContext db) => db.Articles.IgnoreQueryFilters().Include(a => a.Contacts);

    public static async Task<ArticleDto> BuildAsync(ContentDbContext db, Article article, CancellationToken ct)
    {
        var content = article.EditableContent();
        var photoIds = content.PhotoIds().ToList();
        var photos = await db.Photos.IgnoreQueryFilters().AsNoTracking().Where(p => photoIds.Contains(p.Id))
            .Select(PhotoDto.Projection).ToDictionaryAsync(p => p.Id, ct);
        var contacts = await db.Contacts.IgnoreQueryFilters().AsNoTracking().Where(c => content.ContactIds.Contains(c.Id))
            .OrderBy(c => c.Name).Select(ContactDto.Projection).ToListAsync(ct);
        var pledge = content.PledgeId is { } pledgeId
            ? await db.Pledges.IgnoreQueryFilters().AsNoTracking().Where(p => p.Id == pledgeId)
                .Select(p => new PledgeReferenceDto(p.Id, p.Year, p.Title, p.ValidFrom, p.ValidTo)).FirstOrDefaultAsync(ct)
            : null;
        var bodyPhotos = content.Body.Where(b => b.Type == BlockType.Image && b.PhotoId is not null)
            .Select(b => b.PhotoId!.Value).Distinct().Where(photos.ContainsKey).Select(id => photos[id]).ToList();
        return new ArticleDto(
            article.Id, content.Slug ?? article.Slug, content.Title, content.Lead, content.Tags, article.Status,
            article.PublishedAt, article.UpdatedAt, content.Body, BodyHtml.Render(content.Body, photos),
            content.HeroPhotoId is { } hero && photos.TryGetValue(hero, out var heroPhoto) ? heroPhoto : null,
            contacts, pledge, bodyPhotos);
    }
}
