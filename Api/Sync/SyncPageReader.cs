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
internal sealed class SyncPageReader(ContentReader reader, int pageSize)
{
    private Dictionary<ContentKind, Dictionary<Guid, DateTimeOffset>>? _changed;

    public async Task<SyncPage> ReadAsync(SyncToken at, ChangeLogState state, CancellationToken ct)
    {
        var through = at.Through;
        if (!at.Initial)
        {
            if (at.IsComplete && at.Since == state.LastPosition)
                return new SyncPage([], [], at.Encode(), false);
            (_changed, through) = await SyncEndpoints.ChangesAsync(reader, at.Since, at.IsComplete ? null : at.Through, ct);
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
            var visible = await VisibleIds(k).Where(Above(after)).OrderBy(id => id).Take(room + 1).ToListAsync(ct);
            var gone = await RemovedAsync(k, after, visible, ct);
            // Both in id order; the page takes the first ones of the two together.
            var next = visible.Select(id => (Id: id, Gone: false)).Concat(gone.Select(id => (Id: id, Gone: true)))
                .OrderBy(x => x.Id).Take(room + 1).ToList();
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

    private static System.Linq.Expressions.Expression<Func<Guid, bool>> Above(Guid? after) =>
        after is { } last ? id => id.CompareTo(last) > 0 : id => true;

    /// <summary>Ids of the kind in public view that this page may send: all of them initially, else the changed and the dependent.</summary>
    private IQueryable<Guid> VisibleIds(ContentKind kind)
    {
        if (_changed is not { } changed)
            return kind switch
            {
                ContentKind.Article => reader.Articles.Select(a => a.Id),
                ContentKind.Pledge => reader.Pledges.Select(p => p.Id),
                ContentKind.Photo => reader.Photos.Select(p => p.Id),
                _ => reader.Contacts.Select(c => c.Id),
            };
        var articles = changed[ContentKind.Article].Keys.ToList();
        var pledges = changed[ContentKind.Pledge].Keys.ToList();
        var photos = changed[ContentKind.Photo].Keys.ToList();
        var contacts = changed[ContentKind.Contact].Keys.ToList();
        return kind switch
        {
            ContentKind.Article => Union(
                (articles, reader.Articles.Where(a => articles.Contains(a.Id)).Select(a => a.Id)),
                (photos, reader.Articles.Where(a => a.PhotoIds.Any(id => photos.Contains(id))).Select(a => a.Id)),
                (contacts, reader.Articles.Where(a => a.Contacts.Any(c => contacts.Contains(c.Id))).Select(a => a.Id)),
                (pledges, reader.Articles.Where(a => a.PledgeId != null && pledges.Contains(a.PledgeId.Value)).Select(a => a.Id))),
            ContentKind.Pledge => articles.Count > 0
                ? reader.Pledges.Select(p => p.Id)
                : Union(
                    (pledges, reader.Pledges.Where(p => pledges.Contains(p.Id)).Select(p => p.Id)),
                    (photos, reader.Pledges.Where(p => p.PhotoId != null && photos.Contains(p.PhotoId.Value)).Select(p => p.Id)),
                    (contacts, reader.Pledges.Where(p => p.ContactId != null && contacts.Contains(p.ContactId.Value)).Select(p => p.Id))),
            ContentKind.Photo => reader.Photos.Where(p => photos.Contains(p.Id)).Select(p => p.Id),
            _ => reader.Contacts.Where(c => contacts.Contains(c.Id)).Select(c => c.Id),
        };
    }

    /// <summary>The queries whose ids are not empty, as one UNION (none: an empty query).</summary>
    private static IQueryable<Guid> Union(params (List<Guid> Ids, IQueryable<Guid> Query)[] parts)
    {
        var used = parts.Where(p => p.Ids.Count > 0).Select(p => p.Query).ToList();
        return used.Count == 0 ? parts[0].Query : used.Aggregate((all, next) => all.Union(next));
    }

    /// <summary>The changed items of the kind after the cursor that are not in view now, in id order.</summary>
    private async Task<List<Guid>> RemovedAsync(ContentKind kind, Guid? after, List<Guid> visible, CancellationToken ct)
    {
        if (_changed?[kind] is not { Count: > 0 } changed)
            return [];
        var ids = changed.Keys.Where(id => after is null || id.CompareTo(after.Value) > 0).ToList();
        var inView = (await (kind switch
        {
            ContentKind.Article => reader.Articles.Where(a => ids.Contains(a.Id)).Select(a => a.Id),
            ContentKind.Pledge => reader.Pledges.Where(p => ids.Contains(p.Id)).Select(p => p.Id),
            ContentKind.Photo => reader.Photos.Where(p => ids.Contains(p.Id)).Select(p => p.Id),
            _ => reader.Contacts.Where(c => ids.Contains(c.Id)).Select(c => c.Id),
        }).ToListAsync(ct)).ToHashSet();
        inView.UnionWith(visible);
        return [.. ids.Where(id => !inView.Contains(id)).Order()];
    }

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
