using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ContentApi.Tests.Editorial;

/// <summary>
/// The whole bad-input corpus (<see cref="BadInputCorpus"/>) against every write route the server maps, read from its
/// endpoints so that a new route is covered without being listed here, as an admin and with the real ids and ETags of
/// existing content, so that each request gets past the 404 into binding and validation: never a 5xx, and every 4xx is
/// a problem that says what was wrong.
/// </summary>
public class WriteRouteCorpusTests : ApiTest
{
    private static readonly string[] WriteMethods = ["POST", "PUT", "PATCH", "DELETE"];

    [Test]
    public async Task NoInputOfTheCorpusGivesA5xxOnAnyWriteRouteOfRealContent()
    {
        var routes = WriteRoutes();
        Assert.That(routes, Has.Count.GreaterThanOrEqualTo(30), "the write routes were found");
        var admin = await TestAuth.KeyClientAsync(Roles.Admin);
        var content = await RealContent.CreateAsync(admin);
        var failures = new List<string>();
        foreach (var (method, pattern, mediaType) in routes)
        {
            var reached = false;
            foreach (var input in BadInputCorpus.All)
            {
                var (url, kind) = content.Fill(pattern);
                using var request = input.Request(new HttpMethod(method), url, mediaType, kind is null ? null : content.ETags.GetValueOrDefault(kind));
                using var response = await admin.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                var status = (int)response.StatusCode;
                var what = $"{method} {pattern} with {input.Name}: {status} {body[..Math.Min(body.Length, 300)]}";
                if (status >= 500)
                    failures.Add(what);
                else if (status >= 400 && !IsProblem(response, body))
                    failures.Add($"not a problem with a detail: {what}");
                reached |= response.StatusCode != HttpStatusCode.NotFound;
                if (response.IsSuccessStatusCode && kind is not null)
                    await content.RefreshAsync(kind);
            }
            if (!reached)
                failures.Add($"{method} {pattern}: every input was a 404; its ids are not those of existing content");
        }
        Assert.That(failures, Is.Empty, string.Join("\n", failures));
    }

    private static bool IsProblem(HttpResponseMessage response, string body) =>
        response.Content.Headers.ContentType?.MediaType == "application/problem+json"
        && JsonNode.Parse(body)?["detail"] is JsonValue detail && ((string?)detail)?.Length > 0;

    /// <summary>Every route that writes, with the media type its body is sent in.</summary>
    private static List<(string Method, string Pattern, string MediaType)> WriteRoutes() =>
        [.. TestRun.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(endpoint => (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
                .Where(WriteMethods.Contains)
                .Select(method => (method, "/" + endpoint.RoutePattern.RawText!.TrimStart('/'),
                    endpoint.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes.FirstOrDefault() ?? "application/json")))
            .Distinct().OrderBy(route => route.Item2).ThenBy(route => route.method)];

    /// <summary>One of each kind of content, made through the API as an editor makes it, with its ETag.</summary>
    private sealed class RealContent(HttpClient admin)
    {
        public Dictionary<string, Guid> Ids { get; } = [];
        public Dictionary<string, string?> ETags { get; } = [];
        public long DeliveryId { get; private set; }

        public static async Task<RealContent> CreateAsync(HttpClient admin)
        {
            var content = new RealContent(admin);
            foreach (var kind in new[] { "contacts", "photos", "pledges", "articles", "api-keys", "webhooks" })
                await content.CreateAsync(kind);
            return content;
        }

        /// <summary>The route with real ids, and the kind of content its {id} names (null for none).</summary>
        public (string Url, string? Kind) Fill(string pattern)
        {
            var kind = Regex.Match(pattern, @"^/api/(?:admin/)?([a-z-]+)/\{id").Groups[1] is { Success: true } group ? group.Value : null;
            var url = Regex.Replace(pattern, @"\{(\w+)(?::[^}]*)?\}", parameter => parameter.Groups[1].Value switch
            {
                "id" => Ids[kind!].ToString(),
                "scheduleId" => Ids[kind + "/schedule"].ToString(),
                "number" => "1",
                "deliveryId" => DeliveryId.ToString(),
                var other => throw new AssertionException($"{pattern}: this test does not know what to put in {{{other}}}; add it to RealContent.Fill."),
            });
            return (url, kind);
        }

        /// <summary>After a write that succeeded: the item's new ETag, or a new item when it is gone.</summary>
        public async Task RefreshAsync(string kind)
        {
            if (kind == "api-keys" || kind == "webhooks")
            {
                await CreateAsync(kind);
                return;
            }
            if (await VersionAsync(kind, Ids[kind]) is not { } version)
                await CreateAsync(kind);
            else
            {
                ETags[kind] = $"\"{version}\"";
                if (kind is "articles" or "pledges")
                    await ScheduleAsync(kind);
            }
        }

        private async Task CreateAsync(string kind)
        {
            if (kind == "webhooks")
            {
                await CreateWebhookAsync();
                return;
            }
            using var response = await PostAsync(kind, kind == "pledges" ? await FreeYearAsync() : 0);
            var body = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), $"creating {kind}: {body}");
            Ids[kind] = Guid.Parse((string)JsonNode.Parse(body)!["id"]!);
            ETags[kind] = response.Headers.ETag?.Tag;
            if (kind is "articles" or "pledges")
                await ScheduleAsync(kind);
        }

        private Task<HttpResponseMessage> PostAsync(string kind, int year) => kind switch
            {
                "photos" => admin.PostAsync("/api/photos", PhotoUploads.Form(TestImages.Jpeg(40, 30))),
                _ => admin.PostAsync($"/api/{(kind == "api-keys" ? "admin/api-keys" : kind)}", System.Net.Http.Json.JsonContent.Create(kind switch
                {
                    "contacts" => (object)new { name = "Eva Ek", phone = "0456-81 62 20" },
                    "pledges" => new { year, title = $"Medborgarlöfte {year}", summary = "", validFrom = $"{year}-01-01", validTo = $"{year}-12-31" },
                    "articles" => new
                    {
                        title = $"Korpus {Guid.NewGuid():N}", contactIds = new[] { Ids["contacts"] }, heroPhotoId = Ids["photos"],
                        pledgeId = Ids["pledges"], body = new object[] { new { type = "Paragraph", text = "Text." } },
                    },
                    _ => new { name = $"korpus-{Guid.NewGuid():N}", role = "editor" },
                })),
            };

        /// <summary>
        /// A subscription with a delivery, through the DbContext: the test run's host refuses loopback destinations (as
        /// production does), and a ping to this one is refused at once, when it connects.
        /// </summary>
        private async Task CreateWebhookAsync()
        {
            await using var db = TestRun.Factory.CreateDbContext();
            var now = TestRun.Factory.Clock.Now;
            var subscription = new WebhookSubscription
            {
                Id = Guid.NewGuid(), Url = "http://127.0.0.1:9/hooks", Events = ["*"], Secret = ContentApi.Api.Webhooks.WebhookSender.NewSecret(),
                CreatedAt = now, UpdatedAt = now,
            };
            db.WebhookSubscriptions.Add(subscription);
            await db.SaveChangesAsync();
            var delivery = new WebhookDelivery
            {
                SubscriptionId = subscription.Id, MessageId = "msg_corpus", Type = WebhookEvents.Ping, Payload = "{}",
                State = WebhookDeliveryState.Failed, CreatedAt = now, RetryFrom = now, NextAttemptAt = now, CompletedAt = now,
            };
            db.WebhookDeliveries.Add(delivery);
            await db.SaveChangesAsync();
            Ids["webhooks"] = subscription.Id;
            DeliveryId = delivery.Id;
        }

        /// <summary>The item's version as stored, null when it is gone.</summary>
        private static async Task<int?> VersionAsync(string kind, Guid id)
        {
            await using var db = TestRun.Factory.CreateDbContext();
            return kind switch
            {
                "articles" => await db.Articles.IgnoreQueryFilters().Where(x => x.Id == id).Select(x => (int?)x.Version).FirstOrDefaultAsync(),
                "pledges" => await db.Pledges.IgnoreQueryFilters().Where(x => x.Id == id).Select(x => (int?)x.Version).FirstOrDefaultAsync(),
                "photos" => await db.Photos.IgnoreQueryFilters().Where(x => x.Id == id).Select(x => (int?)x.Version).FirstOrDefaultAsync(),
                "contacts" => await db.Contacts.IgnoreQueryFilters().Where(x => x.Id == id).Select(x => (int?)x.Version).FirstOrDefaultAsync(),
                _ => throw new AssertionException($"No version for {kind}."),
            };
        }

        /// <summary>A year (2000–2100) no pledge has, valid inputs of the corpus having made pledges too.</summary>
        private static async Task<int> FreeYearAsync()
        {
            await using var db = TestRun.Factory.CreateDbContext();
            var taken = await db.Pledges.IgnoreQueryFilters().Select(p => p.Year).ToListAsync();
            return Enumerable.Range(2000, 101).Reverse().First(year => !taken.Contains(year));
        }

        private async Task ScheduleAsync(string kind)
        {
            using var response = await admin.PostAsync($"/api/{kind}/{Ids[kind]}/schedules",
                System.Net.Http.Json.JsonContent.Create(new { action = "Publish", at = TestRun.Factory.Clock.Now.AddDays(30) }));
            var body = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), $"scheduling {kind}: {body}");
            Ids[kind + "/schedule"] = Guid.Parse((string)JsonNode.Parse(body)!["id"]!);
        }
    }
}
