using System.Text;
using ContentApi.Api.Caching;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace ContentApi.Tests.Delivery;

/// <summary>The store of answers on its own: its size bound and what it lets go first.</summary>
public class ResponseStoreTests
{
    private const int Limit = 256 * 1024;
    private const int BodyBytes = 10_000;

    private ResponseStore _store = null!;
    private ResponseStore.Middleware _middleware = null!;
    private readonly Dictionary<string, int> _made = [];

    [SetUp]
    public void SetUp()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["OutputCache:SizeLimitBytes"] = Limit.ToString() })
            .Build();
        _store = new ResponseStore(configuration);
        _made.Clear();
        // The endpoint: a 200 with an ETag, as HttpCachingMiddleware leaves every anonymous JSON answer.
        _middleware = new ResponseStore.Middleware(async context =>
        {
            var path = context.Request.Path.Value!;
            _made[path] = _made.GetValueOrDefault(path) + 1;
            context.Response.ContentType = "application/json";
            context.Response.Headers.ETag = $"\"{path.GetHashCode():x8}\"";
            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(path.PadRight(BodyBytes)));
        }, _store);
    }

    private async Task<string> GetAsync(string path)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = path;
        var body = new MemoryStream();
        context.Response.Body = body;
        await _middleware.InvokeAsync(context);
        Assert.That(context.Response.StatusCode, Is.EqualTo(StatusCodes.Status200OK));
        return Encoding.UTF8.GetString(body.ToArray()).TrimEnd();
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
        _store.Evict("articles");
        Assert.That(_store.Size, Is.InRange(before / 2 - 1000, before / 2 + 1000));
        await GetAsync("/api/contacts/1");
        await GetAsync("/api/articles/1");
        Assert.That(_made["/api/contacts/1"], Is.EqualTo(1));
        Assert.That(_made["/api/articles/1"], Is.EqualTo(2));
    }

    [TestCase("/api/articles/by-slug/x", "articles")]
    [TestCase("/API/ARTICLES", "articles")]
    [TestCase("/api/Pledges/current", "pledges")]
    [TestCase("/odata/Articles", "odata")]
    [TestCase("/OData/$metadata", "odata")]
    [TestCase("/api/articlesx", "other")]
    [TestCase("/api", "other")]
    public void FilesAnswersByRouteFamilyWhateverTheCase(string path, string family) =>
        Assert.That(ResponseStore.FamilyOf(path), Is.EqualTo(family));
}
