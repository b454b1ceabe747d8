namespace ContentApi.Domain;

/// <summary>
/// One change to what anonymous readers see: content that came into public view or changed there (upserted), or
/// left it (removed: unpublished, archived, deleted, erased, or a photo or contact no published content uses any
/// more). Written only by the database, in the transaction that saved the change (migration ChangeLog); the API
/// reads it for sync, webhooks and eviction across instances.
/// </summary>
public class ChangeLogEntry
{
    /// <summary>
    /// Rising in commit order: given when the saving transaction commits, one transaction at a time. A reader that has
    /// seen position N has seen every entry below N. Not dense: a failed commit or a server restart skips numbers.
    /// </summary>
    public long Position { get; set; }
    public ContentKind Kind { get; set; }
    public Guid ContentId { get; set; }
    public ChangeKind Change { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
    /// <summary>The item's version after the change; null when the item is gone (deleted, erased).</summary>
    public int? Version { get; set; }
}

public enum ChangeKind
{
    Upserted,
    Removed,
}
