namespace ContentApi.Domain;

/// <summary>The life cycle every piece of published content goes through.</summary>
public enum ContentStatus
{
    Draft,
    Published,
    Archived,
}
