using System.Collections.Concurrent;
using System.Diagnostics;
using ContentApi.Infrastructure;

namespace ContentApi.Api.Caching;

/// <summary>
/// The server's own cache of anonymous answers, kept ready to send: the bytes as they went out (compressed when the
/// caller asked for it) and their headers (<see cref="StoredAnswer"/>). An answer is filed under its route family
/// (<see cref="ContentRoutes.FamilyOf"/>); a saved change evicts every family that can contain what changed
/// (<see cref="Eviction"/>: saved through this instance, or reported by the database from another), so the next
/// anonymous request sees it. Bounded by <c>OutputCache:SizeLimitBytes</c>:
/// when full, the answers used least recently go. <see cref="ResponseStoreMiddleware"/> fills it and answers from it.
/// </summary>
public sealed class ResponseStore
{
    /// <summary>Larger answers are sent but not kept.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    private readonly Family[] _families = [.. Enum.GetValues<ContentFamily>().Select(_ => new Family())];
    private readonly object _gate = new();
    private readonly long _limit;
    private long _size;
    private bool _suspended;

    private readonly Standby _standby;

    public ResponseStore(IConfiguration configuration, Standby standby)
    {
        _standby = standby;
        // 8 MB is some 1500 articles or list pages; measured, each MB of it costs about 1.4 MB of the server's resident
        // memory once full.
        _limit = configuration.GetValue("OutputCache:SizeLimitBytes", 8L * 1024 * 1024);
        // Every change evicts at once, made through this server or (notified by the database) another; the lifetime
        // bounds how long a new year's "current" pledge, or a change made while eviction was broken, can take to show.
        LifetimeMs = 1000L * configuration.GetValue("OutputCache:LifetimeSeconds", 600);
        // A few large photo files must not push out hundreds of JSON answers.
        MaxEntryBytes = Math.Min(MaxBodyBytes, _limit / 16);
    }

    /// <summary>Bytes held (bodies, headers and keys).</summary>
    public long Size => Interlocked.Read(ref _size);

    /// <summary>Answers held.</summary>
    public int Count => _families.Sum(family => family.Entries.Count);

    /// <summary>How long an answer is kept at most, in ms.</summary>
    internal long LifetimeMs { get; }

    /// <summary>The largest answer kept.</summary>
    internal long MaxEntryBytes { get; }

    /// <summary>The answers being made for the store now, and the requests waiting for each.</summary>
    internal ConcurrentDictionary<StoreKey, TaskCompletionSource<StoredAnswer?>> InFlight { get; } = new();

    /// <summary>Evicts every answer of a family; an answer of it that is being made now is not stored.</summary>
    public void Evict(ContentFamily family)
    {
        // Before the generation moves: a refill that sees the new generation then waits for the standby to replay the
        // change (an answer made from the standby's state before it would be stored under the new generation).
        _standby.Moved();
        var evicted = _families[(int)family];
        lock (_gate)
        {
            evicted.Generation++;
            foreach (var entry in evicted.Entries.Values)
                _size -= entry.Size;
            evicted.Entries = new();
        }
    }

    /// <summary>Evicts everything.</summary>
    public void Clear()
    {
        foreach (var family in Enum.GetValues<ContentFamily>())
            Evict(family);
    }

    /// <summary>
    /// Evicts everything and keeps nothing until <see cref="Resume"/>: changes made elsewhere may not be reported
    /// meanwhile (<see cref="Eviction.Suspend"/>).
    /// </summary>
    public void Suspend()
    {
        lock (_gate)
            _suspended = true;
        Clear();
    }

    /// <summary>Keeps answers again; evicts everything first, answers made while suspended included.</summary>
    public void Resume()
    {
        lock (_gate)
            _suspended = false;
        Clear();
    }

    /// <summary>How many times the family has been evicted: an answer made meanwhile may be out of date.</summary>
    internal long GenerationOf(ContentFamily family) => Volatile.Read(ref _families[(int)family].Generation);

    internal StoredAnswer? Find(ContentFamily name, in StoreKey key)
    {
        var family = _families[(int)name];
        if (!family.Entries.TryGetValue(key, out var entry))
            return null;
        if (Environment.TickCount64 >= entry.Expires)
        {
            lock (_gate)
                if (family.Entries.TryRemove(new KeyValuePair<StoreKey, StoredAnswer>(key, entry)))
                    _size -= entry.Size;
            return null;
        }
        entry.LastUsed = Stopwatch.GetTimestamp();
        return entry;
    }

    /// <summary>Stores an answer unless its family was evicted since <paramref name="generation"/>, or the store is suspended.</summary>
    internal bool TryStore(ContentFamily name, long generation, in StoreKey key, StoredAnswer entry)
    {
        var family = _families[(int)name];
        lock (_gate)
        {
            // Evicted while it was being made: it may hold what the database said before the change.
            if (family.Generation != generation || _suspended)
                return false;
            entry.Generation = generation;
            if (_size + entry.Size > _limit)
                Compact(_limit * 3 / 4 - entry.Size);
            var entries = family.Entries;
            if (entries.TryGetValue(key, out var old))
                _size -= old.Size;
            entries[key] = entry;
            _size += entry.Size;
            return true;
        }
    }

    /// <summary>Drops expired answers, then the least recently used, until at most <paramref name="target"/> bytes are held.</summary>
    private void Compact(long target)
    {
        var now = Environment.TickCount64;
        var all = new List<(Family Family, KeyValuePair<StoreKey, StoredAnswer> Item)>();
        foreach (var family in _families)
            foreach (var item in family.Entries)
                all.Add((family, item));
        foreach (var (family, item) in all.OrderBy(e => e.Item.Value.Expires > now ? e.Item.Value.LastUsed : long.MinValue))
        {
            if (_size <= target && item.Value.Expires > now)
                break;
            if (family.Entries.TryRemove(item))
                _size -= item.Value.Size;
        }
    }

    private sealed class Family
    {
        public volatile ConcurrentDictionary<StoreKey, StoredAnswer> Entries = new();
        public long Generation;
    }
}
