using ContentApi.Domain;
using ContentApi.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Api.Articles;

/// <summary>
/// The checks a status change needs from the database, shared by the publishing endpoints and the schedule runner; the
/// change itself is the article's (<see cref="Article.Publish"/>, <see cref="Article.Withdraw"/>).
/// </summary>
public static class ArticlePublishing
{
    /// <summary>The editable state a revision keeps.</summary>
    public static object Snapshot(Article a) => new
    {
        a.Status, a.PublishedAt, a.UpdatedAt, Content = a.LiveContent(), Pending = a.PendingChanges,
    };

    /// <summary>
    /// Makes the pending version (or the draft) live. Refuses, saying why, when the content is not ready: no title,
    /// lead or body, a photo without alt text, a slug that is taken.
    /// </summary>
    public static async Task<ValidationErrors> PublishAsync(ContentDbContext db, Article article, DateTimeOffset now, CancellationToken ct)
    {
        var content = article.EditableContent();
        var errors = content.ValidateForPublishing();
        await ArticleChecks.ReferencesAsync(db, content, errors, ct);
        var photoIds = content.PhotoIds().ToList();
        var photos = await db.Photos.IgnoreQueryFilters().Where(p => photoIds.Contains(p.Id)).ToListAsync(ct);
        foreach (var photo in photos.Where(p => !p.HasTextAlternative))
            errors.Add($"photos[{photo.Id}]",
                $"Photo {photo.Id} has no usable alt text. Describe what it shows, or mark it decorative, before publishing (DOS-lagen).");
        var slug = content.Slug ?? article.Slug;
        if (await db.Articles.IgnoreQueryFilters().AnyAsync(a => a.Slug == slug && a.Id != article.Id, ct))
            errors.Add("slug", $"The slug '{slug}' belongs to another article.");
        if (!errors.IsEmpty)
            return errors;

        if (article.Status == ContentStatus.Published && slug != article.Slug)
        {
            // A published address stays valid: the old slug redirects to the new one.
            if (await db.SlugRedirects.FindAsync([article.Slug], ct) is null)
                db.SlugRedirects.Add(new SlugRedirect { OldSlug = article.Slug, ArticleId = article.Id });
        }
        // In the same save as the publishing: if that fails, the redirect from this address stays.
        db.SlugRedirects.RemoveRange(await db.SlugRedirects.Where(r => r.OldSlug == slug).ToListAsync(ct));
        var contacts = await db.Contacts.IgnoreQueryFilters().Where(c => content.ContactIds.Contains(c.Id)).ToListAsync(ct);
        article.Publish(slug, contacts, now);
        return errors;
    }

    /// <summary>Takes a published article back to draft (or archives it); a pending version becomes the draft.</summary>
    public static async Task WithdrawAsync(ContentDbContext db, Article article, ContentStatus to, DateTimeOffset now, CancellationToken ct)
    {
        var pendingContacts = article.PendingChanges?.ContactIds ?? [];
        var contacts = pendingContacts.Count == 0 ? []
            : await db.Contacts.IgnoreQueryFilters().Where(c => pendingContacts.Contains(c.Id)).ToListAsync(ct);
        article.Withdraw(to, contacts, now);
    }
}

/// <summary>Checks that what an article refers to exists.</summary>
public static class ArticleChecks
{
    public static async Task ReferencesAsync(ContentDbContext db, ArticleContent content, ValidationErrors errors, CancellationToken ct)
    {
        var photoIds = content.PhotoIds().ToList();
        var known = await db.Photos.IgnoreQueryFilters().Where(p => photoIds.Contains(p.Id)).Select(p => p.Id).ToListAsync(ct);
        if (content.HeroPhotoId is { } hero && !known.Contains(hero))
            errors.Add("heroPhotoId", $"There is no photo {hero}.");
        for (var i = 0; i < content.Body.Count; i++)
            if (content.Body[i] is { Type: BlockType.Image, PhotoId: { } id } && !known.Contains(id))
                errors.Add($"body[{i}].photoId", $"There is no photo {id}.");
        var contacts = await db.Contacts.IgnoreQueryFilters().Where(c => content.ContactIds.Contains(c.Id)).Select(c => c.Id).ToListAsync(ct);
        foreach (var missing in content.ContactIds.Except(contacts))
            errors.Add("contactIds", $"There is no contact {missing}.");
        if (content.PledgeId is { } pledge && !await db.Pledges.IgnoreQueryFilters().AnyAsync(p => p.Id == pledge, ct))
            errors.Add("pledgeId", $"There is no pledge {pledge}.");
    }
}
