using System.Text;
using ContentApi.Api;
using ContentApi.Api.Caching;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ContentApi.Tests.Delivery;

/// <summary>The store of answers on its own: its size bound and what it lets go first.</summary>
public class ResponseStoreTests
{
    private const int Limit = 256 * 1024;
    private const int BodyBytes = 10_000;

    private ServiceProvider _services = null!;
    private ResponseStore _store = null!;
    private ResponseStoreMiddleware _middleware = null!;
    private readonly Dictionary<string, int> _made = [];

    [SetUp]
    public void SetUp()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["OutputCache:SizeLimitBytes"] = Limit.ToString() })
            .Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
        services.AddDelivery(configuration);
        // No standby: every read is the primary's (AddInfrastructure registers it in the API).
        services.AddSingleton(new Infrastructure.Standby(null, "", Options.Create(new Infrastructure.StandbyOptions()),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Infrastructure.Standby>.Instance));
        _services = services.BuildServiceProvider();
        _store = _services.GetRequiredService<ResponseStore>();
        _made.Clear();
        // The endpoint: a 200 with an ETag, as a photo file has one (the store gives JSON answers their own).
        _middleware = Around(async context =>
        {
            var path = context.Request.Path.Value!;
            _made[path] = _made.GetValueOrDefault(path) + 1;
            context.Response.ContentType = "application/json";
            context.Response.Headers.ETag = $"\"{path.GetHashCode():x8}\"";
            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(path.PadRight(BodyBytes)));
        });
    }

    [TearDown]
    public void TearDown() => _services.Dispose();

    /// <summary>The store's middleware, as the API wires it, around an endpoint.</summary>
    private ResponseStoreMiddleware Around(RequestDelegate endpoint) =>
        ActivatorUtilities.CreateInstance<ResponseStoreMiddleware>(_services, endpoint);

    private async Task<string> GetAsync(string path, ResponseStoreMiddleware? middleware = null, Stream? client = null,
        CancellationToken aborted = default)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = path;
        context.RequestAborted = aborted;
        var body = client ?? new MemoryStream();
        context.Response.Body = body;
        await (middleware ?? _middleware).InvokeAsync(context);
        Assert.That(context.Response.StatusCode, Is.EqualTo(StatusCodes.Status200OK));
        return body is MemoryStream memory ? Encoding.UTF8.GetString(memory.ToArray()).TrimEnd() : "";
    }

    [Test]
    public async Task AnAnswerTooBigToKeepStreamsToTheClientCompressedAsAskedAndWithoutAnETag()
    {
        var chunk = Encoding.UTF8.GetBytes("[" + new string('x', 64 * 1024 - 2) + "]");
        var client = new MemoryStream();
        var sentWhileMaking = 0L;
        var made = 0;
        var big = Around(async context =>
        {
            made++;
            context.Response.ContentType = "application/json";
            for (var i = 0; i < 24; i++) // 1.5 MB: more than the store keeps
                await context.Response.Body.WriteAsync(chunk);
            sentWhileMaking = client.Length;
        });
        for (var attempt = 0; attempt < 2; attempt++)
        {
            client.SetLength(0);
            var context = new DefaultHttpContext();
            context.Request.Method = "GET";
            context.Request.Path = "/api/articles";
            context.Request.Headers.AcceptEncoding = "gzip";
            context.Response.Body = client;
            await big.InvokeAsync(context);
            Assert.That(sentWhileMaking, Is.GreaterThan(0), "bytes reached the client before the answer was made whole");
            Assert.That(context.Response.Headers.ContentEncoding.ToString(), Is.EqualTo("gzip"));
            Assert.That(context.Response.Headers.ETag.ToString(), Is.Empty, "no ETag: the body was never whole in memory");
            using var unzip = new System.IO.Compression.GZipStream(new MemoryStream(client.ToArray()), System.IO.Compression.CompressionMode.Decompress);
            using var plain = new MemoryStream();
            await unzip.CopyToAsync(plain);
            Assert.That(plain.Length, Is.EqualTo(24 * chunk.Length));
        }
        Assert.That(made, Is.EqualTo(2), "not kept");
    }

    [Test]
    public async Task AnAnswerCutShortIsNotKept()
    {
        // A file endpoint whose client went away ends quietly with what it had: less than its Content-Length.
        var made = 0;
        var cutShort = Around(async context =>
        {
            made++;
            context.Response.ContentType = "image/webp";
            context.Response.Headers.ETag = "\"v1-320.webp\"";
            context.Response.ContentLength = 5000;
            if (made == 1)
                await context.Response.Body.WriteAsync(new byte[1000]);
            else
                await context.Response.Body.WriteAsync(new byte[5000]);
        });
        await GetAsync("/api/photos/1/renditions/v1/320.webp", cutShort);
        await GetAsync("/api/photos/1/renditions/v1/320.webp", cutShort);
        Assert.That(made, Is.EqualTo(2), "the short answer was not kept");
        await GetAsync("/api/photos/1/renditions/v1/320.webp", cutShort);
        Assert.That(made, Is.EqualTo(2), "the whole one was");
    }

    [Test]
    public async Task AnAnswerMadeForAClientThatWentAwayIsNotKept()
    {
        using var gone = new CancellationTokenSource();
        await gone.CancelAsync();
        // Sending to a client that is gone fails; what matters is what was kept.
        Assert.CatchAsync<OperationCanceledException>(() => GetAsync("/api/articles/1", aborted: gone.Token));
        await GetAsync("/api/articles/1");
        Assert.That(_made["/api/articles/1"], Is.EqualTo(2));
    }

    [Test]
    public async Task ARequestAfterAnEvictionNeverWaitsForNorGetsAnAnswerFromBeforeIt()
    {
        var version = 1;
        var endpoint = Around(async context =>
        {
            context.Response.ContentType = "application/json";
            context.Response.Headers.ETag = $"\"{version}\"";
            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes($"version {version}"));
        });
        // The first reader's connection is slow: its answer is made and stored, and then it takes its time.
        var slowClient = new StalledStream();
        var first = GetAsync("/api/articles/1", endpoint, slowClient);
        await slowClient.Writing;
        version = 2;
        _store.Evict(ContentFamily.Articles);

        var next = GetAsync("/api/articles/1", endpoint);
        Assert.That(await Task.WhenAny(next, Task.Delay(TimeSpan.FromSeconds(10))), Is.SameAs(next), "the next reader waited for the slow one");
        Assert.That(await next, Is.EqualTo("version 2"));
        slowClient.Release();
        await first;
    }

    /// <summary>A client connection that accepts nothing until released.</summary>
    private sealed class StalledStream : MemoryStream
    {
        private readonly TaskCompletionSource _writing = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Task Writing => _writing.Task;
        public void Release() => _released.TrySetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _writing.TrySetResult();
            await _released.Task;
            await base.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    [Test]
    public async Task NeverHoldsMoreThanItsLimit()
    {
        for (var i = 0; i < 500; i++)
        {
            Assert.That(await GetAsync($"/api/articles/{i}"), Is.EqualTo($"/api/articles/{i}"));
            Assert.That(_store.Size, Is.LessThanOrEqualTo(Limit), $"after answer {i}");
        }
        Assert.That(_store.Count, Is.InRange(Limit / 2 / BodyBytes, Limit / BodyBytes));
    }

    [Test]
    public async Task LetsTheLeastRecentlyUsedGoFirst()
    {
        await GetAsync("/api/articles/popular");
        for (var i = 0; i < 200; i++)
        {
            await GetAsync($"/api/articles/{i}");
            await GetAsync("/api/articles/popular");
        }
        Assert.That(_made["/api/articles/popular"], Is.EqualTo(1), "asked for all along, never let go");
        await GetAsync("/api/articles/0");
        Assert.That(_made["/api/articles/0"], Is.EqualTo(2), "asked for once, long ago: let go and made again");
    }

    [Test]
    public async Task EvictingAFamilyFreesItsRoom()
    {
        for (var i = 0; i < 5; i++)
        {
            await GetAsync($"/api/articles/{i}");
            await GetAsync($"/api/contacts/{i}");
        }
        var before = _store.Size;
        _store.Evict(ContentFamily.Articles);
        Assert.That(_store.Size, Is.InRange(before / 2 - 1000, before / 2 + 1000));
        await GetAsync("/api/contacts/1");
        await GetAsync("/api/articles/1");
        Assert.That(_made["/api/contacts/1"], Is.EqualTo(1));
        Assert.That(_made["/api/articles/1"], Is.EqualTo(2));
    }
}
