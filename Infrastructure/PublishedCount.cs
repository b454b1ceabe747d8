namespace ContentApi.Infrastructure;

/// <summary>
/// How many articles (in all, and per tag) and pledges anonymous readers see: a row per content type and tag, kept in
/// step by triggers in the saving transaction (migration PublishedCounts), so a list's total or an OData $count read
/// from here is exact the moment a save commits and costs one row however large the table. A count that is not here is
/// zero. Read-only to EF Core: only the triggers write it.
/// </summary>
public sealed class PublishedCount
{
    public const string Articles = "articles", Pledges = "pledges";

    /// <summary>The <see cref="Tag"/> of the row that counts all published content of its type (no tag is empty).</summary>
    public const string All = "";

    public string ContentType { get; private set; } = "";
    public string Tag { get; private set; } = "";
    public long Count { get; private set; }
}
