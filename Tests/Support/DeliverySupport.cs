using System.Net;
using System.Net.Http.Headers;
using ContentApi.Api.Caching;
using ContentApi.Api.Changes;
using Microsoft.Extensions.DependencyInjection;

namespace ContentApi.Tests.Support;

/// <summary>Helpers of the delivery tests: what the store says, conditional requests, answers as they went out.</summary>
public static class DeliverySupport
{
    public const string Hit = "ContentApi; hit";
    public const string Stored = "ContentApi; fwd=uri-miss; stored";

    /// <summary>The running API's store of answers.</summary>
    public static ResponseStore Store => TestRun.Factory.Services.GetRequiredService<ResponseStore>();

    /// <summary>
    /// Waits until the change listener of every running API host that listens has heard of every change committed so
    /// far. The notification of a change arrives a moment after its commit and evicts again: an answer being made then
    /// is not stored (a miss, not a stored answer), which a test that expects "stored" must not meet.
    /// </summary>
    public static async Task ChangesHeardAsync()
    {
        await using var db = TestRun.Factory.CreateDbContext();
        var last = (await ChangeLog.StateAsync(db)).LastPosition;
        foreach (var api in ContentApiFactory.Running)
        {
            var listener = api.Services.GetRequiredService<ChangeListener>();
            for (var deadline = DateTime.UtcNow.AddSeconds(10); listener.Listening && listener.HeardThrough < last; await Task.Delay(5))
                Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"the change listener heard of position {last}");
        }
    }

    /// <summary>The Cache-Status the store gave the answer, or null when it did not go through the store.</summary>
    public static string? CacheStatus(this HttpResponseMessage response) =>
        response.Headers.TryGetValues("Cache-Status", out var values) ? string.Join(", ", values) : null;

    /// <summary>A client that leaves compressed answers compressed.</summary>
    public static HttpClient RawClient() =>
        new(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = TestRun.Client.BaseAddress };

    /// <summary>A GET that asks for the answer only if the client's copy (this ETag) is out of date.</summary>
    public static HttpRequestMessage IfNoneMatch(string url, EntityTagHeaderValue etag, string? acceptEncoding = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.IfNoneMatch.Add(etag);
        if (acceptEncoding is not null)
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(acceptEncoding));
        return request;
    }
}
