using ContentApi.Domain;

namespace ContentApi.Api.Caching;

/// <summary>
/// What a change of content evicts, whoever reports it: a save through this instance (<see cref="EvictOnSave"/>) or a
/// notification of a change committed through another (<see cref="Changes.ChangeListener"/>). Every count goes, and the
/// answers of every route family that can show the kind; an answer being made meanwhile is not stored.
/// </summary>
public sealed class Eviction(ResponseStore store, CountCache counts)
{
    public void Evict(IEnumerable<ContentKind> kinds)
    {
        counts.Clear();
        foreach (var family in kinds.SelectMany(ContentRoutes.Showing).Distinct())
            store.Evict(family);
    }

    /// <summary>
    /// Changes may go unreported from now on (the listener lost its connection): everything goes, and nothing is kept
    /// until <see cref="Resume"/>.
    /// </summary>
    public void Suspend()
    {
        store.Suspend();
        counts.Suspend();
    }

    /// <summary>Changes are reported again: everything goes once more (any may have been missed), then answers are kept.</summary>
    public void Resume()
    {
        store.Resume();
        counts.Resume();
    }
}
