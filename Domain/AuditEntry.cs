namespace ContentApi.Domain;

/// <summary>
/// One line of the audit log: a write or an authentication failure. It names people only by their account (key name or
/// token subject) and content only by id, so erasing a person's data never has to rewrite it.
/// </summary>
public class AuditEntry
{
    public const int DetailsMaxLength = 1000;

    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public string Actor { get; set; } = "";
    public string Action { get; set; } = "";
    public string? TargetType { get; set; }
    public Guid? TargetId { get; set; }
    public string? Address { get; set; }
    public int Status { get; set; }
    public string? Details { get; set; }
    /// <summary>How many times it happened: refused requests are counted and written one row per kind a minute.</summary>
    public int Count { get; set; } = 1;
}
