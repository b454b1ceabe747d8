using ContentApi.Api.Auth;
using ContentApi.Api.Reading;
using ContentApi.Infrastructure;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace ContentApi.Api.Caching;

/// <summary>
/// The one path of anonymous reads of content (REST, OData, photo files): answered from the <see cref="ResponseStore"/>
/// before routing and authentication run; otherwise made into a buffer, given their caching headers
/// (<see cref="CachingHeaders"/>) and compression from those bytes, stored if they may be kept, and sent. A current
/// If-None-Match or If-Modified-Since gets 304, whether the answer was stored or just made (then it is still stored
/// whole). When many ask for the same missing answer at once, one request makes it and the others wait for it. Reads
/// with credentials are private and never stored; they get a 304 too when the caller's copy is current.
/// </summary>
public sealed class ResponseStoreMiddleware(RequestDelegate next, ResponseStore store, CachingHeaders caching, ContentCompression compression,
    Standby standby)
{
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)))
            return next(context);
        var path = request.Path;
        if (!ContentRoutes.IsContent(path) || Caller.HasCredentials(request))
        {
            if (ContentRoutes.IsContent(path) && !ContentRoutes.IsFile(path))
                context.Response.OnStarting(MakePrivate, context.Response);
            // Not for the store (an editor's preview): still a 304 when the editor's copy is current.
            return Conditional.IsConditional(request) ? MakeAsync(context, null) : next(context);
        }
        var family = ContentRoutes.FamilyOf(path);
        var key = StoreKey.Of(request, family);
        return store.Find(family, key) is { } answer ? SendAsync(context, answer, CacheStatus.Hit) : MissAsync(context, new Making(family, key));
    }

    private static Task MakePrivate(object response)
    {
        ((HttpResponse)response).Headers.CacheControl = CachingHeaders.Private;
        return Task.CompletedTask;
    }

    private async Task MissAsync(HttpContext context, Making making)
    {
        while (true)
        {
            if (store.InFlight.TryGetValue(making.Key, out var pending))
            {
                // Another request is making this answer: take it, unless the family was evicted since it was stored (it
                // may be from before a change), or it could not be kept (an error, or content changed).
                if (await pending.Task.WaitAsync(context.RequestAborted) is { } entry && entry.Generation == store.GenerationOf(making.Family))
                    await SendAsync(context, entry, CacheStatus.Hit);
                else
                    await MakeAsync(context, making);
                return;
            }
            making.Waiters = new TaskCompletionSource<StoredAnswer?>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (store.InFlight.TryAdd(making.Key, making.Waiters))
                break;
        }
        try
        {
            await MakeAsync(context, making);
        }
        finally
        {
            making.Release(store, null);
        }
    }

    /// <summary>
    /// Makes the answer into a buffer; for the store (<paramref name="making"/> set), gives it its caching headers and
    /// compression, stores it if it may be kept and hands it to the requests waiting for it; then sends it, or a 304.
    /// </summary>
    private async Task MakeAsync(HttpContext context, Making? making)
    {
        var request = context.Request;
        var response = context.Response;
        var generation = making is null ? 0 : store.GenerationOf(making.Family);
        var server = context.Features.Get<IHttpResponseBodyFeature>()!;
        await using var capture = new ResponseCapture(server, making is null ? null : () => TooBigToKeep(context, server.Stream));
        context.Features.Set<IHttpResponseBodyFeature>(capture);
        // HEAD is answered as the GET it stands for, without the body: endpoints only map GET, and the answer can be
        // stored for both.
        var head = HttpMethods.IsHead(request.Method);
        if (head && making is not null)
            request.Method = HttpMethods.Get;
        try
        {
            // A refill may read the standby (Reading/StandbyReads.cs).
            await (making is null ? next(context) : StandbyReads.RunAsync(context, next, making.Family, standby, capture.Reset));
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
        var body = new ArraySegment<byte>(buffer.GetBuffer(), 0, (int)buffer.Length);

        if (making is not null)
        {
            // Whole, as long as it said it would be: a file endpoint whose client went away ends quietly with less.
            var whole = response.ContentLength is not { } declared || declared == body.Count;
            if (!ContentRoutes.IsFile(request.Path))
                caching.Describe(context, body);
            if (body.Count > 0)
                response.ContentLength = body.Count;
            if (compression.Compress(context, body) is { } compressed)
            {
                body = compressed;
                response.ContentLength = body.Count;
            }
            // Not kept when the client went away.
            var entry = context.RequestAborted.IsCancellationRequested ? null : StoredAnswer.From(response, body, whole, making.Key, store);
            var stored = entry is not null && store.TryStore(making.Family, generation, making.Key, entry);
            making.Release(store, stored ? entry : null);
            response.Headers[CacheStatus.Header] = stored ? CacheStatus.Stored : CacheStatus.Miss;
        }
        if (response.StatusCode == StatusCodes.Status200OK
            && Conditional.IsCurrent(request, response.Headers.ETag.ToString(), response.Headers.LastModified.ToString()))
        {
            Conditional.NotModified(response);
            return;
        }
        if (body.Count > 0 || head)
        {
            response.ContentLength = body.Count;
            if (!head)
                await response.BodyWriter.WriteAsync(body, context.RequestAborted);
        }
    }

    /// <summary>Where an answer too big to keep goes once it outgrows the buffer: no ETag, compressed if asked for.</summary>
    private Stream TooBigToKeep(HttpContext context, Stream client)
    {
        CachingHeaders.DescribeUnkept(context.Response);
        return compression.Spill(context, client);
    }

    private static Task SendAsync(HttpContext context, StoredAnswer entry, StringValues status)
    {
        var response = context.Response;
        var headers = response.Headers;
        if (Conditional.IsCurrent(context.Request, entry.ETag, entry.LastModified))
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

    /// <summary>One answer being made for the store, and the requests waiting for it.</summary>
    private sealed class Making(ContentFamily family, StoreKey key)
    {
        public ContentFamily Family { get; } = family;
        public StoreKey Key { get; } = key;
        public TaskCompletionSource<StoredAnswer?>? Waiters { get; set; }

        /// <summary>Hands the answer (or null: make your own) to the waiting requests; only the first call counts.</summary>
        public void Release(ResponseStore store, StoredAnswer? entry)
        {
            if (Waiters is null)
                return;
            store.InFlight.TryRemove(new KeyValuePair<StoreKey, TaskCompletionSource<StoredAnswer?>>(Key, Waiters));
            Waiters.TrySetResult(entry);
        }
    }
}

/// <summary>The Cache-Status header (RFC 9211): whether an answer came from the store.</summary>
internal static class CacheStatus
{
    public const string Header = "Cache-Status";
    public static readonly StringValues Hit = "ContentApi; hit";
    public static readonly StringValues Stored = "ContentApi; fwd=uri-miss; stored";
    public static readonly StringValues Miss = "ContentApi; fwd=uri-miss";
}
