namespace ContentApi.Domain;

/// <summary>An immutable record of one saved change to a content item: who, when, what changed, and the state after.</summary>
public class Revision
{
    public long Id { get; set; }
    public ContentKind ContentKind { get; set; }
    public Guid ContentId { get; set; }
    /// <summary>1, 2, 3… per item.</summary>
    public int Number { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string Author { get; set; } = "";
    /// <summary>What was done: created, updated, published, restored…</summary>
    public string Action { get; set; } = "";
    public List<string> ChangedFields { get; set; } = [];
    /// <summary>The item's editable state after the change, as JSON.</summary>
    public string Snapshot { get; set; } = "{}";
}

public enum ContentKind
{
    Article,
    Pledge,
    Photo,
    Contact,
}
