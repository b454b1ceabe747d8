using ContentApi.Api.Articles;
using ContentApi.Api.Changes;
using ContentApi.Api.Contacts;
using ContentApi.Api.Photos;
using ContentApi.Api.Pledges;
using ContentApi.Api.Reading;
using ContentApi.Domain;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Api.Sync;

/// <summary>
/// Reads one page of a sync through the delivery face. An initial sync walks each kind by id. A delta walks, kind by
/// kind in id order, the items the log names (each as it is now: in view, an item; not, a removal) and the items
/// whose public shape shows them: an article shows its photos, contacts and pledge (title, year, dates), a pledge its
/// photo, contact and articles (title, slug, date). The log names only the photo, contact or pledge that changed,
/// so the articles and pledges showing it now are found here; as a changed article may have left a pledge's list (a
/// deleted one no longer says which), any article change sends every pledge (there is one a year).
/// </summary>
/// <remarks>
/// The log also names a photo or contact whose data did not change, when content that shows it came into or left
/// view (its visibility is checked again): re-sending everything that shows it would send thousands of articles for
/// one unpublish (measured on the 100,000-article database: 75 such entries among 1,075 named nearly every article).
/// Only a photo or contact edited in the round sends what shows it (<see cref="SyncEndpoints.EditedAsync"/>).
/// </remarks>
internal sealed class SyncPageReader(ContentReader reader, int pageSize)
{
    private Dictionary<ContentKind, Dictionary<Guid, DateTimeOffset>>? _changed;
    /// <summary>Of the changed items, those in view now, by kind (read once a page).</summary>
    private readonly Dictionary<ContentKind, HashSet<Guid>> _inView = [];
    private List<Guid> _editedPhotos = [];
    private List<Guid> _editedContacts = [];

    public async Task<SyncPage> ReadAsync(SyncToken at, ChangeLogState state, CancellationToken ct)
    {
        var through = at.Through;
        if (!at.Initial)
        {
            if (at.IsComplete && at.Since == state.LastPosition)
                return new SyncPage([], [], at.Encode(), false);
            (_changed, through) = await SyncEndpoints.ChangesAsync(reader, at.Since, at.IsComplete ? null : at.Through, ct);
            await ReadInViewAsync(ct);
            if (_changed[ContentKind.Photo].Count + _changed[ContentKind.Contact].Count > 0)
            {
                var edited = await SyncEndpoints.EditedAsync(reader, at.Since, through, ct);
                _editedPhotos = [.. edited.Where(_inView[ContentKind.Photo].Contains)];
                _editedContacts = [.. edited.Where(_inView[ContentKind.Contact].Contains)];
            }
        }

        var items = new List<SyncItem>();
        var removed = new List<SyncRemoval>();
        var kind = at.Kind;
        var after = at.After;
        foreach (var k in SyncEndpoints.Kinds.SkipWhile(k => k != at.Kind))
        {
            if (k != at.Kind)
                after = null;
            kind = k;
            var room = pageSize - items.Count - removed.Count;
            // In view (an item) or not (a removal), in id order; the page takes the first ones of the two together. (One
            // that came back into view between the two reads is an item.)
            var next = (await CandidatesAsync(k, after, room + 1, ct)).Select(id => (Id: id, Gone: false))
                .Concat(Removed(k, after).Select(id => (Id: id, Gone: true)))
                .OrderBy(x => x.Id).DistinctBy(x => x.Id).Take(room + 1).ToList();
            var full = next.Count > room;
            next = [.. next.Take(room)];
            removed.AddRange(next.Where(x => x.Gone).Select(x => new SyncRemoval(k, x.Id, _changed![k][x.Id])));
            items.AddRange(await LoadAsync(k, [.. next.Where(x => !x.Gone).Select(x => x.Id)], ct));
            if (next.Count > 0)
                after = next[^1].Id;
            if (full)
            {
                var cursor = new SyncToken(at.Since, at.Initial ? at.Since : through, at.Initial, kind, after);
                return new SyncPage(items, removed, cursor.Encode(), true);
            }
        }
        // Done: the copy is complete up to where the initial sync started, or to the last change this delta sent.
        var done = SyncToken.At(at.Initial ? at.Since : through);
        return new SyncPage(items, removed, done.Encode(), !at.Initial && through < state.LastPosition);
    }

    /// <summary>Which changed items are in view now.</summary>
    private async Task ReadInViewAsync(CancellationToken ct)
    {
        foreach (var (kind, changed) in _changed!)
        {
            var ids = changed.Keys.ToList();
            if (ids.Count == 0)
            {
                _inView[kind] = [];
                continue;
            }
            _inView[kind] = [.. await (kind switch
            {
                ContentKind.Article => reader.Articles.Where(a => ids.Contains(a.Id)).Select(a => a.Id),
                ContentKind.Pledge => reader.Pledges.Where(p => ids.Contains(p.Id)).Select(p => p.Id),
                ContentKind.Photo => reader.Photos.Where(p => ids.Contains(p.Id)).Select(p => p.Id),
                _ => reader.Contacts.Where(c => ids.Contains(c.Id)).Select(c => c.Id),
            }).ToListAsync(ct)];
        }
    }

    private static System.Linq.Expressions.Expression<Func<Guid, bool>> Above(Guid? after) =>
        after is { } last ? id => id.CompareTo(last) > 0 : id => true;

    /// <summary>
    /// The first ids after the cursor of the kind's items in view that this page may send, in id order: all of them in an
    /// initial sync; in a delta, the changed ones in view and those whose shape shows a changed item.
    /// </summary>
    private async Task<List<Guid>> CandidatesAsync(ContentKind kind, Guid? after, int take, CancellationToken ct)
    {
        if (_changed is null)
            return await (kind switch
            {
                ContentKind.Article => reader.Articles.Select(a => a.Id),
                ContentKind.Pledge => reader.Pledges.Select(p => p.Id),
                ContentKind.Photo => reader.Photos.Select(p => p.Id),
                _ => reader.Contacts.Select(c => c.Id),
            }).Where(Above(after)).OrderBy(id => id).Take(take).ToListAsync(ct);
        var own = _inView[kind].Where(id => after is null || id.CompareTo(after.Value) > 0);
        if (Dependents(kind) is not { } dependents)
            return [.. own.Order().Take(take)];
        var shown = await dependents.Where(Above(after)).OrderBy(id => id).Take(take).ToListAsync(ct);
        return [.. own.Union(shown).Order().Take(take)];
    }

    /// <summary>The kind's items in view whose shape shows a changed item (null: none can).</summary>
    private IQueryable<Guid>? Dependents(ContentKind kind)
    {
        var changedArticles = _changed![ContentKind.Article].Count > 0;
        var pledges = _changed[ContentKind.Pledge].Keys.ToList();
        var photos = _editedPhotos;
        var contacts = _editedContacts;
        IEnumerable<IQueryable<Guid>> parts = kind switch
        {
            ContentKind.Article =>
            [
                .. photos.Count > 0 ? [reader.Articles.Where(a => a.PhotoIds.Any(id => photos.Contains(id))).Select(a => a.Id)] : Array.Empty<IQueryable<Guid>>(),
                .. contacts.Count > 0 ? [reader.Articles.Where(a => a.Contacts.Any(c => contacts.Contains(c.Id))).Select(a => a.Id)] : Array.Empty<IQueryable<Guid>>(),
                .. pledges.Count > 0 ? [reader.Articles.Where(a => a.PledgeId != null && pledges.Contains(a.PledgeId.Value)).Select(a => a.Id)] : Array.Empty<IQueryable<Guid>>(),
            ],
            ContentKind.Pledge when changedArticles => [reader.Pledges.Select(p => p.Id)],
            ContentKind.Pledge =>
            [
                .. photos.Count > 0 ? [reader.Pledges.Where(p => p.PhotoId != null && photos.Contains(p.PhotoId.Value)).Select(p => p.Id)] : Array.Empty<IQueryable<Guid>>(),
                .. contacts.Count > 0 ? [reader.Pledges.Where(p => p.ContactId != null && contacts.Contains(p.ContactId.Value)).Select(p => p.Id)] : Array.Empty<IQueryable<Guid>>(),
            ],
            _ => [],
        };
        return parts.Any() ? parts.Aggregate((all, next) => all.Union(next)) : null;
    }

    /// <summary>The changed items of the kind after the cursor that are not in view now, in id order.</summary>
    private IEnumerable<Guid> Removed(ContentKind kind, Guid? after) =>
        _changed?[kind] is not { Count: > 0 } changed
            ? []
            : changed.Keys.Where(id => (after is null || id.CompareTo(after.Value) > 0) && !_inView[kind].Contains(id)).Order();

    private async Task<List<SyncItem>> LoadAsync(ContentKind kind, List<Guid> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
            return [];
        // An item that left view between finding and loading is not sent: its removal is in the log after this delta.
        var loaded = kind switch
        {
            ContentKind.Article => (await ArticleEndpoints.ReadManyAsync(reader, ids, ct)).Select(a => new SyncItem(kind, a.Id, Article: a)),
            ContentKind.Pledge => (await PledgeEndpoints.ReadManyAsync(reader, ids, ct)).Select(p => new SyncItem(kind, p.Id, Pledge: p)),
            ContentKind.Photo => (await reader.Photos.Where(p => ids.Contains(p.Id)).Select(PhotoDto.Projection).ToListAsync(ct))
                .Select(p => new SyncItem(kind, p.Id, Photo: p)),
            _ => (await reader.Contacts.Where(c => ids.Contains(c.Id)).Select(ContactDto.Projection).ToListAsync(ct))
                .Select(c => new SyncItem(kind, c.Id, Contact: c)),
        };
        return [.. loaded.OrderBy(item => item.Id)];
    }
}
