namespace ContentApi.Domain;

public enum ScheduledAction
{
    Publish,
    Unpublish,
}

/// <summary>A publish or unpublish to carry out at a given time, kept in the database so it survives restarts.</summary>
public class Schedule
{
    public Guid Id { get; set; }
    public ContentKind ContentKind { get; set; }
    public Guid ContentId { get; set; }
    public ScheduledAction Action { get; set; }
    public DateTimeOffset DueAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? DoneAt { get; set; }
    /// <summary>What happened when it was carried out, e.g. "published" or "already unpublished".</summary>
    public string? Outcome { get; set; }
}

/// <summary>An old slug of a published article, answered with a redirect to the article's slug of today.</summary>
public class SlugRedirect
{
    public string OldSlug { get; set; } = "";
    public Guid ArticleId { get; set; }
}
