using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace ContentApi.Api.Caching;

/// <summary>
/// The server's own cache of anonymous answers, kept ready to send: the bytes as they went out (compressed when the
/// caller asked for it) and their headers. An answer is filed under its route family (articles, pledges, photos,
/// contacts, odata); a saved change evicts every family that can contain what changed (<see cref="ContentOutputCache"/>),
/// so the next anonymous request sees it. Bounded by <c>OutputCache:SizeLimitBytes</c>: when full, the answers used
/// least recently go.
/// </summary>
public sealed class ResponseStore
{
    /// <summary>Larger answers are sent but not kept.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    /// <summary>The route families answers are filed under.</summary>
    public static readonly string[] Families = ["articles", "pledges", "photos", "contacts", "odata", "other"];

    private readonly Dictionary<string, Family> _families =
        Families.ToDictionary(name => name, _ => new Family());
    private readonly ConcurrentDictionary<Key, TaskCompletionSource<Entry?>> _inFlight = new();
    private readonly object _gate = new();
    private readonly long _limit;
    private readonly long _lifetimeMs;
    private readonly long _maxEntryBytes;
    private long _size;

    public ResponseStore(IConfiguration configuration)
    {
        // 8 MB is some 1500 articles or list pages; measured, each MB of it costs about 1.4 MB of the server's resident
        // memory once full.
        _limit = configuration.GetValue("OutputCache:SizeLimitBytes", 8L * 1024 * 1024);
        // Every change made through this server evicts at once; the lifetime bounds how long a change made by another
        // instance, or a new year's "current" pledge, can take to show.
        _lifetimeMs = 1000L * configuration.GetValue("OutputCache:LifetimeSeconds", 600);
        // A few large photo files must not push out hundreds of JSON answers.
        _maxEntryBytes = Math.Min(MaxBodyBytes, _limit / 16);
    }

    /// <summary>Bytes held (bodies, headers and keys).</summary>
    public long Size => Interlocked.Read(ref _size);

    /// <summary>Answers held.</summary>
    public int Count => _families.Values.Sum(family => family.Entries.Count);

    /// <summary>The family an answer to this path is filed under.</summary>
    public static string FamilyOf(PathString path)
    {
        if (path.StartsWithSegments("/odata"))
            return "odata";
        var value = path.Value.AsSpan();
        // "/api/{family}/…", any case: routing ignores case, and so must eviction.
        if (value.Length > 5 && value.StartsWith("/api/", StringComparison.OrdinalIgnoreCase))
        {
            var rest = value[5..];
            var end = rest.IndexOf('/');
            var family = end < 0 ? rest : rest[..end];
            foreach (var name in Families)
                if (family.Equals(name, StringComparison.OrdinalIgnoreCase))
                    return name;
        }
        return "other";
    }

    /// <summary>Evicts every answer of a family; an answer of it that is being made now is not stored.</summary>
    public void Evict(string family)
    {
        var evicted = _families[family];
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
        foreach (var family in Families)
            Evict(family);
    }

    private Entry? Find(Family family, in Key key)
    {
        if (!family.Entries.TryGetValue(key, out var entry))
            return null;
        var now = Environment.TickCount64;
        if (now >= entry.Expires)
        {
            lock (_gate)
                if (family.Entries.TryRemove(new KeyValuePair<Key, Entry>(key, entry)))
                    _size -= entry.Size;
            return null;
        }
        entry.LastUsed = Stopwatch.GetTimestamp();
        return entry;
    }

    /// <summary>Stores an answer unless its family was evicted since <paramref name="generation"/>.</summary>
    private bool TryStore(Family family, long generation, in Key key, Entry entry)
    {
        lock (_gate)
        {
            // Evicted while it was being made: it may hold what the database said before the change.
            if (family.Generation != generation)
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
        var all = new List<(Family Family, KeyValuePair<Key, Entry> Item)>();
        foreach (var family in _families.Values)
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

    private static long GenerationOf(Family family) => Volatile.Read(ref family.Generation);

    private sealed class Family
    {
        public volatile ConcurrentDictionary<Key, Entry> Entries = new();
        public long Generation;
    }

    /// <summary>What an answer depends on: the address and the request headers it varies by (see the Vary header).</summary>
    /// <remarks>
    /// The scheme and host too: OData writes absolute links (<c>@odata.context</c>, <c>@odata.nextLink</c>) from them, so
    /// an answer made for one Host header must never go to a client that used another.
    /// </remarks>
    private readonly record struct Key(string Scheme, string Host, string Path, string Query, string Accept, string AcceptEncoding,
        string AcceptCharset, string ODataMaxVersion, string Prefer)
    {
        public static Key Of(HttpRequest request, string family)
        {
            var headers = request.Headers;
            var odata = family == "odata";
            return new(request.Scheme, request.Host.Value ?? "", request.Path.Value ?? "", request.QueryString.Value ?? "",
                headers.Accept.ToString(), headers.AcceptEncoding.ToString(), odata ? headers.AcceptCharset.ToString() : "",
                odata ? headers["OData-MaxVersion"].ToString() : "", odata ? headers["Prefer"].ToString() : "");
        }

        public int Bytes => 2 * (Scheme.Length + Host.Length + Path.Length + Query.Length + Accept.Length + AcceptEncoding.Length
            + AcceptCharset.Length + ODataMaxVersion.Length + Prefer.Length);
    }

    /// <summary>A 200 answer ready to send again.</summary>
    private sealed class Entry
    {
        // Not kept: set by the server on every answer, or by the store itself.
        private static readonly HashSet<string> Transient = new(StringComparer.OrdinalIgnoreCase)
        {
            HeaderNames.Date, HeaderNames.Server, HeaderNames.ContentLength, HeaderNames.TransferEncoding, HeaderNames.Connection,
            HeaderNames.KeepAlive, HeaderNames.Age, CacheStatus.Header,
        };

        // What a 304 carries of the 200 it stands for (RFC 9110, 15.4.5).
        private static readonly HashSet<string> Validators = new(StringComparer.OrdinalIgnoreCase)
        {
            HeaderNames.ETag, HeaderNames.CacheControl, HeaderNames.Vary, HeaderNames.Expires, HeaderNames.ContentLocation,
            HeaderNames.LastModified,
        };

        private Entry(byte[] body, KeyValuePair<string, StringValues>[] headers, string etag, long expires, long size)
        {
            Body = body;
            Headers = headers;
            NotModifiedHeaders = [.. headers.Where(header => Validators.Contains(header.Key))];
            ETag = etag;
            Expires = expires;
            Size = size;
            LastUsed = Stopwatch.GetTimestamp();
        }

        public static bool IsValidator(string header) => Validators.Contains(header);

        public byte[] Body { get; }
        public KeyValuePair<string, StringValues>[] Headers { get; }
        public KeyValuePair<string, StringValues>[] NotModifiedHeaders { get; }
        public string ETag { get; }
        public long Expires { get; }
        public long Size { get; }
        public long LastUsed;
        /// <summary>The generation of its family it was stored in.</summary>
        public long Generation;

        /// <summary>
        /// The answer as made, if it may be kept: a 200 for everyone, with an ETag, whole (as long as it said it would
        /// be), and not too big.
        /// </summary>
        public static Entry? From(HttpResponse response, MemoryStream body, in Key key, ResponseStore store)
        {
            var headers = response.Headers;
            if (response.StatusCode != StatusCodes.Status200OK || headers.ETag.ToString() is not { Length: > 0 } etag
                || body.Length > store._maxEntryBytes || headers.SetCookie.Count > 0
                || response.ContentLength is { } length && length != body.Length
                || headers.CacheControl.ToString() is var cacheControl
                    && (cacheControl.Contains("private", StringComparison.OrdinalIgnoreCase)
                        || cacheControl.Contains("no-store", StringComparison.OrdinalIgnoreCase)))
                return null;
            var kept = headers.Where(header => !Transient.Contains(header.Key)).ToArray();
            var size = body.Length + key.Bytes + 200 + kept.Sum(header => 2 * (header.Key.Length + header.Value.ToString().Length) + 48);
            return new Entry(body.ToArray(), kept, etag, Environment.TickCount64 + store._lifetimeMs, size);
        }
    }

    /// <summary>The Cache-Status header (RFC 9211): whether an answer came from the store.</summary>
    private static class CacheStatus
    {
        public const string Header = "Cache-Status";
        public static readonly StringValues Hit = "ContentApi; hit";
        public static readonly StringValues Stored = "ContentApi; fwd=uri-miss; stored";
        public static readonly StringValues Miss = "ContentApi; fwd=uri-miss";
    }

    /// <summary>
    /// Answers anonymous reads from the store before routing and authentication; makes, stores and sends the rest. A
    /// GET whose If-None-Match holds the answer's ETag gets 304, whether the answer was stored or just made (then it is
    /// still stored whole). When many ask for the same missing answer at once, one request makes it and the others
    /// wait for it.
    /// </summary>
    public sealed class Middleware(RequestDelegate next, ResponseStore store)
    {
        public Task InvokeAsync(HttpContext context)
        {
            var request = context.Request;
            if (!(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)))
                return next(context);
            if (!HttpCachingMiddleware.IsPublicRead(request))
                // Not for the store (an editor's preview): still a 304 when the editor's copy is current.
                return request.Headers.IfNoneMatch.Count > 0 ? MakeAsync(context, null) : next(context);
            var name = FamilyOf(request.Path);
            var key = Key.Of(request, name);
            var family = store._families[name];
            return store.Find(family, key) is { } entry ? SendAsync(context, entry, CacheStatus.Hit) : MissAsync(context, new Making(family, key));
        }

        private async Task MissAsync(HttpContext context, Making making)
        {
            while (true)
            {
                if (store._inFlight.TryGetValue(making.Key, out var pending))
                {
                    // Another request is making this answer: take it, unless the family was evicted since it was stored
                    // (it may be from before a change), or it could not be kept (an error, or content changed).
                    if (await pending.Task.WaitAsync(context.RequestAborted) is { } entry && entry.Generation == GenerationOf(making.Family))
                        await SendAsync(context, entry, CacheStatus.Hit);
                    else
                        await MakeAsync(context, making);
                    return;
                }
                making.Waiters = new TaskCompletionSource<Entry?>(TaskCreationOptions.RunContinuationsAsynchronously);
                if (store._inFlight.TryAdd(making.Key, making.Waiters))
                    break;
            }
            try
            {
                await MakeAsync(context, making);
            }
            finally
            {
                making.Release(store._inFlight, null);
            }
        }

        /// <summary>
        /// Makes the answer into a buffer, stores it if it may be kept (and hands it to the requests waiting for it),
        /// then sends it, or a 304.
        /// </summary>
        private async Task MakeAsync(HttpContext context, Making? making)
        {
            var request = context.Request;
            var generation = making is null ? 0 : GenerationOf(making.Family);
            var response = context.Response;
            var server = context.Features.Get<IHttpResponseBodyFeature>()!;
            await using var capture = new Capture(server);
            context.Features.Set<IHttpResponseBodyFeature>(capture);
            // HEAD is answered as the GET it stands for, without the body: endpoints only map GET, and the answer can be
            // stored for both.
            var head = HttpMethods.IsHead(request.Method);
            if (head && making is not null)
                request.Method = HttpMethods.Get;
            try
            {
                await next(context);
                await capture.CompleteAsync();
            }
            finally
            {
                context.Features.Set(server);
                if (head)
                    request.Method = HttpMethods.Head;
            }
            // Too big to keep (a photo's original file): it has gone out as it was made.
            if (capture.Spilled)
                return;
            var buffer = capture.Buffer;

            if (making is not null)
            {
                DistinguishCoding(response);
                // Not kept when the client went away: a file endpoint then ends quietly with what it had sent so far.
                var entry = context.RequestAborted.IsCancellationRequested ? null : Entry.From(response, buffer, making.Key, store);
                var stored = entry is not null && store.TryStore(making.Family, generation, making.Key, entry);
                making.Release(store._inFlight, stored ? entry : null);
                response.Headers[CacheStatus.Header] = stored ? CacheStatus.Stored : CacheStatus.Miss;
            }
            if (response.StatusCode == StatusCodes.Status200OK && Matches(request, response.Headers.ETag.ToString()))
            {
                NotModified(response);
                return;
            }
            if (buffer.Length > 0 || head)
            {
                response.ContentLength = buffer.Length;
                if (!head)
                    await response.BodyWriter.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
            }
        }

        /// <summary>
        /// A strong ETag names one representation (RFC 9110, 8.8.3): the body's hash is taken before compression, so a
        /// compressed answer gets the coding appended (<c>"…-br"</c>). A client revalidates with the ETag it was given.
        /// </summary>
        private static void DistinguishCoding(HttpResponse response)
        {
            var headers = response.Headers;
            if (headers.ContentEncoding.ToString() is { Length: > 0 } coding && headers.ETag.ToString() is ['"', .., '"'] etag)
                headers.ETag = $"{etag[..^1]}-{coding}\"";
        }

        /// <summary>One answer being made for the store, and the requests waiting for it.</summary>
        private sealed class Making(Family family, Key key)
        {
            public Family Family { get; } = family;
            public Key Key { get; } = key;
            public TaskCompletionSource<Entry?>? Waiters { get; set; }

            /// <summary>Hands the answer (or null: make your own) to the waiting requests; only the first call counts.</summary>
            public void Release(ConcurrentDictionary<Key, TaskCompletionSource<Entry?>> inFlight, Entry? entry)
            {
                if (Waiters is null)
                    return;
                inFlight.TryRemove(new KeyValuePair<Key, TaskCompletionSource<Entry?>>(Key, Waiters));
                Waiters.TrySetResult(entry);
            }
        }

        private static Task SendAsync(HttpContext context, Entry entry, StringValues status)
        {
            var response = context.Response;
            var headers = response.Headers;
            if (Matches(context.Request, entry.ETag))
            {
                response.StatusCode = StatusCodes.Status304NotModified;
                foreach (var (name, value) in entry.NotModifiedHeaders)
                    headers[name] = value;
                headers[CacheStatus.Header] = status;
                return Task.CompletedTask;
            }
            response.StatusCode = StatusCodes.Status200OK;
            foreach (var (name, value) in entry.Headers)
                headers[name] = value;
            headers[CacheStatus.Header] = status;
            response.ContentLength = entry.Body.Length;
            if (HttpMethods.IsHead(context.Request.Method))
                return Task.CompletedTask;
            var write = response.BodyWriter.WriteAsync(entry.Body, context.RequestAborted);
            return write.IsCompletedSuccessfully ? Task.CompletedTask : write.AsTask();
        }

        /// <summary>Turns a made 200 into a 304: the validators stay, the body and what describes it go.</summary>
        private static void NotModified(HttpResponse response)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            var headers = response.Headers;
            foreach (var name in headers.Keys.ToArray())
                if (!Entry.IsValidator(name) && !name.Equals(CacheStatus.Header, StringComparison.OrdinalIgnoreCase))
                    headers.Remove(name);
        }

        private static bool Matches(HttpRequest request, string etag)
        {
            var ifNoneMatch = request.Headers.IfNoneMatch;
            if (ifNoneMatch.Count == 0 || etag.Length == 0)
                return false;
            // Weak comparison, as If-None-Match asks (RFC 9110, 13.1.2).
            foreach (var value in ifNoneMatch)
                foreach (var tag in (value ?? "").Split(',', StringSplitOptions.TrimEntries))
                    if (tag == "*" || tag == etag || tag == "W/" + etag)
                        return true;
            return false;
        }
    }

    /// <summary>
    /// Where an answer is made: a buffer, until it grows past <see cref="MaxBodyBytes"/>; then what is buffered and
    /// everything after it goes straight to the client (it will not be kept).
    /// </summary>
    private sealed class Capture(IHttpResponseBodyFeature server) : Stream, IHttpResponseBodyFeature
    {
        private PipeWriter? _writer;

        public MemoryStream Buffer { get; } = new();
        public bool Spilled { get; private set; }

        Stream IHttpResponseBodyFeature.Stream => this;
        public PipeWriter Writer => _writer ??= PipeWriter.Create(this, new StreamPipeWriterOptions(leaveOpen: true));

        public void DisableBuffering()
        {
        }

        public Task StartAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
            SendFileFallback.SendFileAsync(this, path, offset, count, cancellationToken);

        public async Task CompleteAsync()
        {
            if (_writer is not null)
                await _writer.FlushAsync();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (!Spilled && Buffer.Length + buffer.Length <= MaxBodyBytes)
            {
                Buffer.Write(buffer);
                return;
            }
            if (!Spilled)
            {
                Spilled = true;
                server.Stream.Write(Buffer.GetBuffer(), 0, (int)Buffer.Length);
            }
            server.Stream.Write(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!Spilled && Buffer.Length + buffer.Length <= MaxBodyBytes)
            {
                Buffer.Write(buffer.Span);
                return;
            }
            if (!Spilled)
            {
                Spilled = true;
                await server.Stream.WriteAsync(Buffer.GetBuffer().AsMemory(0, (int)Buffer.Length), cancellationToken);
            }
            await server.Stream.WriteAsync(buffer, cancellationToken);
        }

        public override void Flush()
        {
            if (Spilled)
                server.Stream.Flush();
        }

        public override Task FlushAsync(CancellationToken cancellationToken) =>
            Spilled ? server.Stream.FlushAsync(cancellationToken) : Task.CompletedTask;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                Buffer.Dispose();
            base.Dispose(disposing);
        }
    }
}
