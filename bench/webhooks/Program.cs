// Publishes N articles through a running API with S webhook subscriptions to a receiver on loopback, and reports how
// long each webhook took from the publish's commit (the payload's timestamp: the change log's changed_at) and from the
// publish's answer to its arrival. Usage: WebhookBench API_URL ADMIN_KEY PUBLISHER_KEY [PUBLISHES=1000] [SUBSCRIPTIONS=4]
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

var api = args[0].TrimEnd('/');
var adminKey = args[1];
var publisherKey = args[2];
var publishes = args.Length > 3 ? int.Parse(args[3]) : 1000;
var subscriptions = args.Length > 4 ? int.Parse(args[4]) : 4;

var arrivals = new ConcurrentBag<(string Path, Guid Id, DateTimeOffset CommittedAt, DateTimeOffset ArrivedAt, bool Verified)>();
var secrets = new ConcurrentDictionary<string, byte[]>();
var builder = WebApplication.CreateSlimBuilder();
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Logging.ClearProviders();
var receiver = builder.Build();
receiver.MapPost("/hooks/{n}", async (HttpRequest request, string n) =>
{
    var arrived = DateTimeOffset.UtcNow;
    var body = await new StreamReader(request.Body).ReadToEndAsync();
    var payload = JsonNode.Parse(body)!;
    if ((string?)payload["type"] == "article.upserted")
    {
        var signed = $"{request.Headers["webhook-id"]}.{request.Headers["webhook-timestamp"]}.{body}";
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(secrets[n], Encoding.UTF8.GetBytes(signed)));
        arrivals.Add((n, Guid.Parse((string)payload["data"]!["id"]!), DateTimeOffset.Parse((string)payload["timestamp"]!), arrived,
            request.Headers["webhook-signature"].ToString().Split(' ').Contains(expected)));
    }
    return Results.NoContent();
});
await receiver.StartAsync();
var root = receiver.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');

using var admin = new HttpClient { BaseAddress = new Uri(api) };
admin.DefaultRequestHeaders.Add("X-Api-Key", adminKey);
using var publisher = new HttpClient { BaseAddress = new Uri(api) };
publisher.DefaultRequestHeaders.Add("X-Api-Key", publisherKey);
var made = new List<Guid>();
for (var i = 0; i < subscriptions; i++)
{
    using var response = await admin.PostAsJsonAsync("/api/admin/webhooks", new { url = $"{root}/hooks/{i}", events = new[] { "article.*" } });
    var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    if (!response.IsSuccessStatusCode)
        throw new InvalidOperationException($"registering a subscription: {(int)response.StatusCode} {json.ToJsonString()}");
    made.Add(Guid.Parse((string)json["id"]!));
    secrets[i.ToString()] = Convert.FromBase64String(((string)json["secret"]!)["whsec_".Length..]);
}

var answered = new Dictionary<Guid, DateTimeOffset>();
var watch = Stopwatch.StartNew();
for (var i = 0; i < publishes; i++)
{
    using var created = await publisher.PostAsJsonAsync("/api/articles", new
    {
        title = $"Webhookmätning {i} {Guid.NewGuid():N}", lead = "Mätning.", body = new[] { new { type = "Paragraph", text = "Text." } },
    });
    var id = Guid.Parse((string)JsonNode.Parse(await created.Content.ReadAsStringAsync())!["id"]!);
    using var published = await publisher.PostAsync($"/api/articles/{id}/publish", null);
    if (!published.IsSuccessStatusCode)
        throw new InvalidOperationException($"publishing: {(int)published.StatusCode} {await published.Content.ReadAsStringAsync()}");
    answered[id] = DateTimeOffset.UtcNow;
}
var publishing = watch.Elapsed;
var deadline = DateTime.UtcNow.AddSeconds(120);
var ours = () => arrivals.Where(a => answered.ContainsKey(a.Id)).ToList();
while (ours().Count < publishes * subscriptions && DateTime.UtcNow < deadline)
    await Task.Delay(100);
var got = ours();
foreach (var id in made)
    (await admin.DeleteAsync($"/api/admin/webhooks/{id}")).Dispose();
await receiver.StopAsync();

static string Percentiles(List<double> ms)
{
    ms.Sort();
    double At(double p) => ms.Count == 0 ? double.NaN : ms[Math.Min(ms.Count - 1, (int)Math.Ceiling(p * ms.Count) - 1)];
    return $"p50 {At(0.50):0.0} ms, p95 {At(0.95):0.0} ms, p99 {At(0.99):0.0} ms, max {ms.LastOrDefault():0.0} ms";
}
Console.WriteLine($"publishes: {publishes} (create + publish, one at a time, {publishing.TotalSeconds:0.0} s), subscriptions: {subscriptions}");
Console.WriteLine($"webhooks received: {got.Count} of {publishes * subscriptions}; distinct (subscription, article): {got.Select(a => (a.Path, a.Id)).Distinct().Count()}; signatures verified: {got.Count(a => a.Verified)}");
Console.WriteLine($"commit -> arrival: {Percentiles(got.Select(a => (a.ArrivedAt - a.CommittedAt).TotalMilliseconds).ToList())}");
Console.WriteLine($"publish answer -> arrival: {Percentiles(got.Select(a => (a.ArrivedAt - answered[a.Id]).TotalMilliseconds).ToList())}");
return got.Count == publishes * subscriptions ? 0 : 1;
