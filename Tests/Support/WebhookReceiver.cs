using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ContentApi.Tests.Support;

/// <summary>A request the receiver got: the Standard Webhooks headers, the body as sent, and what it answered.</summary>
public sealed record ReceivedWebhook(string Id, string Timestamp, string Signature, string Body, HeaderDictionary Headers, int Number)
{
    public System.Text.Json.Nodes.JsonNode Json => System.Text.Json.Nodes.JsonNode.Parse(Body)!;
    public string? Type => (string?)Json["type"];
}

/// <summary>
/// A webhook receiver on a real loopback socket (Kestrel): records every request and answers as the test says
/// (<see cref="Respond"/>: given the request's number, 1 first, it writes the answer; by default 200). Each
/// <see cref="Reset"/> gives it a new <see cref="Url"/>: a late request meant for the test before is not counted.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _count;
    private string _path = "/hooks/" + Guid.NewGuid().ToString("N");
    private readonly string _root;

    public WebhookReceiver()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Run(async context =>
        {
            // A request that was under way when the test before ended is kept to that test's record.
            var received = Received;
            if (context.Request.Path != _path)
                return;
            var number = Interlocked.Increment(ref _count);
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var headers = new HeaderDictionary();
            foreach (var (name, value) in context.Request.Headers)
                headers[name] = value;
            var respond = Respond;
            try
            {
                await respond(number, context);
            }
            finally
            {
                // Recorded after the answer: a test that sees it recorded may look at the sender's log of it.
                received.Enqueue(new ReceivedWebhook(context.Request.Headers["webhook-id"].ToString(), context.Request.Headers["webhook-timestamp"].ToString(),
                    context.Request.Headers["webhook-signature"].ToString(), body, headers, number));
            }
        });
        _app.StartAsync().GetAwaiter().GetResult();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _root = address.TrimEnd('/');
        Port = new Uri(address).Port;
    }

    public string Url => _root + _path;
    public int Port { get; }
    public ConcurrentQueue<ReceivedWebhook> Received { get; private set; } = new();

    public Func<int, HttpContext, Task> Respond { get; set; } = Ok;

    public static Task Ok(int number, HttpContext context) => context.Response.WriteAsync("received");

    public void Reset()
    {
        _path = "/hooks/" + Guid.NewGuid().ToString("N");
        Received = new();
        Interlocked.Exchange(ref _count, 0);
        Respond = Ok;
    }

    /// <summary>Waits until <paramref name="count"/> requests have been received (at most 30 s) and returns them in order.</summary>
    public async Task<List<ReceivedWebhook>> WaitForAsync(int count, string what, Action? nudge = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Received.Count < count)
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"The receiver got {Received.Count} of {count} requests ({what}).");
            nudge?.Invoke();
            await Task.Delay(20);
        }
        return [.. Received.OrderBy(r => r.Number)];
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
