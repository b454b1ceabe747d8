using System.Text.Json.Serialization;
using ContentApi.Api.Articles;
using ContentApi.Api.Contacts;
using ContentApi.Api.Photos;
using ContentApi.Api.Pledges;
using ContentApi.Domain;

namespace ContentApi.Api.Sync;

/// <summary>
/// One page of a sync. Apply <c>removed</c> and <c>items</c> to the copy (an id is in one or the other), pages in the
/// order they came; while <c>hasMore</c>, ask for the next page with <c>nextSyncToken</c> at once; when it is false, keep
/// <c>nextSyncToken</c> and ask with it later for what changed since.
/// </summary>
public record SyncPage(List<SyncItem> Items, List<SyncRemoval> Removed, string NextSyncToken, bool HasMore);

/// <summary>
/// An item in public view, new or changed: its kind and id, and the item in the same shape as its REST route answers it
/// (<c>article</c> as GET /api/articles/{id}, <c>pledge</c> as GET /api/pledges/by-year/{year}, <c>photo</c> as GET
/// /api/photos/{id}, <c>contact</c> as GET /api/contacts/{id}): the one of the four that its kind names.
/// </summary>
public record SyncItem(
    ContentKind Kind, Guid Id,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ArticleDto? Article = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PledgeDto? Pledge = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PhotoDto? Photo = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ContactDto? Contact = null);

/// <summary>
/// An item that left public view (unpublished, archived, deleted, erased, or a photo or contact nothing published
/// shows any more): delete it from the copy. <c>removedAt</c> is when the change was committed.
/// </summary>
public record SyncRemoval(ContentKind Kind, Guid Id, DateTimeOffset RemovedAt);
