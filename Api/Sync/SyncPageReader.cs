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
/// kind in id order, the items the log names, each as it is now: in view, an item; not, a removal. The log also names
/// the content whose public shape carries a changed item (an article its photos, contacts and pledge; a pledge its
/// photo, contact and articles: migration ChangeLog), so a delta needs no knowledge of what shows what.
/// </summary>
internal sealed class SyncPageReader(ContentReader reader, int pageSize)
{
    private Dictionary<ContentKind, Dictionary<Guid, DateTimeOffset>>? _changed;
    /// <summary>Of the changed items, those in view now, by kind (read once a page).</summary>
    private readonly Dictionary<ContentKind, HashSet<Guid>> _inView = [];

    public async Task<SyncPage> ReadAsync(SyncToken at, ChangeLogState state, CancellationToken ct)
    {
        var through = at.Through;
        if (!at.Initial)
        {
            if (at.IsComplete && at.Since == state.LastPosition)
                return new SyncPage([], [], at.Encode(), false);
            (_changed, through) = await SyncEndpoints.ChangesAsync(reader, at.Since, at.IsComplete ? null : at.Through, ct);
            await ReadInViewAsync(ct);
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
    /// initial sync; in a delta, the changed ones in view.
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
        return [.. _inView[kind].Where(id => after is null || id.CompareTo(after.Value) > 0).Order().Take(take)];
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
