namespace ContentApi.Domain;

/// <summary>Content that editors change: it has an id and a version that every saved change increases.</summary>
public interface IVersioned
{
    Guid Id { get; }
    int Version { get; }

    /// <summary>Marks one more saved change: the ETag and optimistic concurrency rest on the version.</summary>
    void NextVersion();
}
