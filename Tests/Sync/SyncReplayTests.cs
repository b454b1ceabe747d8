using System.Net;
using System.Text.Json.Nodes;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Sync;

/// <summary>
/// The issue's promise: an app keeps an exact offline copy with nothing but GET /api/sync. A seeded random sequence
/// of publishes, edits of live and pending content, unpublishes, archives, deletes, photo and contact edits and
/// erasures, with a delta every few steps applied to the copy, which must equal a fresh initial sync along the way
/// and at the end.
/// </summary>
public class SyncReplayTests : ApiTest
{
    private sealed class World(HttpClient publisher, HttpClient admin, Random random)
    {
        public readonly List<Guid> Articles = [];
        public readonly List<Guid> Pledges = [];
        public readonly List<Guid> Photos = [];
        public readonly List<Guid> Contacts = [];
        public readonly List<string> Done = [];
        private int _serial;

        private T Pick<T>(List<T> items) => items[random.Next(items.Count)];

        private async Task<JsonNode?> SendAsync(HttpMethod method, string url, object? body = null, bool withETag = false,
            string mediaType = "application/json", HttpClient? client = null, string? readAt = null)
        {
            client ??= publisher;
            string? etag = null;
            if (withETag)
            {
                using var current = await client.GetAsync(readAt ?? url);
                etag = current.ETag();
            }
            var (response, json) = await client.SendJson(method, url, body, etag, mediaType);
            Assert.That(response.IsSuccessStatusCode, $"{method} {url} after [{string.Join(", ", Done)}]: {(int)response.StatusCode} {json?.ToJsonString()}");
            Done.Add($"{method} {url}");
            return json;
        }

        private Task PatchAsync(string url, object patch, string? readAt = null) =>
            SendAsync(HttpMethod.Patch, url, patch, withETag: true, "application/merge-patch+json", readAt: readAt);

        private string YearOf(Guid pledge) => $"/api/pledges/by-year/{2020 + Pledges.IndexOf(pledge)}";

        private async Task<string> StatusAsync(string url) => (string)(await GetJson(publisher, url))["status"]!;

        private object ArticleContent() => new
        {
            title = $"Artikel {++_serial}", lead = $"Ingress {_serial}.",
            body = random.Next(2) == 0
                ? new object[] { new { type = "Paragraph", text = "Text." } }
                : [new { type = "Paragraph", text = "Text." }, new { type = "Image", photoId = Pick(Photos) }],
            heroPhotoId = random.Next(3) == 0 ? (Guid?)null : Pick(Photos),
            contactIds = Contacts.Count == 0 ? [] : Contacts.OrderBy(_ => random.Next()).Take(random.Next(3)).ToArray(),
            pledgeId = random.Next(2) == 0 ? (Guid?)null : Pick(Pledges),
        };

        /// <summary>One random step.</summary>
        public async Task StepAsync()
        {
            var article = Articles.Count > 0 ? Pick(Articles) : Guid.Empty;
            var url = $"/api/articles/{article}";
            switch (random.Next(14))
            {
                case 0 or 1:
                    var created = await SendAsync(HttpMethod.Post, "/api/articles", ArticleContent());
                    Articles.Add(Guid.Parse((string)created!["id"]!));
                    break;
                case 2 or 3 when Articles.Count > 0:
                    await SendAsync(HttpMethod.Post, $"{url}/publish");
                    break;
                case 4 when Articles.Count > 0:
                    // A live article's edit is a pending version, published half the time.
                    await PatchAsync(url, new { title = $"Ändrad {++_serial}", heroPhotoId = random.Next(2) == 0 ? (Guid?)null : Pick(Photos) });
                    if (random.Next(2) == 0)
                        await SendAsync(HttpMethod.Post, $"{url}/publish");
                    break;
                case 5 when Articles.Count > 0:
                    await SendAsync(HttpMethod.Put, url, ArticleContent(), withETag: true);
                    if (random.Next(2) == 0)
                        await SendAsync(HttpMethod.Post, $"{url}/publish");
                    break;
                case 6 when Articles.Count > 0 && await StatusAsync(url) == "Published":
                    await SendAsync(HttpMethod.Post, $"{url}/{(random.Next(2) == 0 ? "unpublish" : "archive")}");
                    break;
                case 7 when Articles.Count > 0:
                    await SendAsync(HttpMethod.Delete, url, withETag: true);
                    Articles.Remove(article);
                    break;
                case 8:
                    await PatchAsync($"/api/photos/{Pick(Photos)}", new { caption = $"Bildtext {++_serial}", altText = $"Alt {_serial}" });
                    break;
                case 9 when Contacts.Count > 0:
                    await PatchAsync($"/api/contacts/{Pick(Contacts)}", new { name = $"Person {++_serial}", phone = "+4645681" + (6000 + _serial) });
                    break;
                case 10 when Contacts.Count > 2:
                    var erased = Pick(Contacts);
                    await SendAsync(HttpMethod.Post, $"/api/admin/contacts/{erased}/erase", client: admin);
                    Contacts.Remove(erased);
                    break;
                case 11:
                    var pledge = Pick(Pledges);
                    await PatchAsync($"/api/pledges/{pledge}", new { title = $"Löfte {++_serial}", photoId = random.Next(2) == 0 ? (Guid?)null : Pick(Photos),
                        contactId = Contacts.Count == 0 || random.Next(2) == 0 ? (Guid?)null : Pick(Contacts) }, YearOf(pledge));
                    if (random.Next(3) > 0)
                        await SendAsync(HttpMethod.Post, $"/api/pledges/{pledge}/publish");
                    break;
                case 12:
                    var which = Pick(Pledges);
                    await SendAsync(HttpMethod.Post, $"/api/pledges/{which}/{(await StatusAsync(YearOf(which)) == "Published" ? "unpublish" : "publish")}");
                    break;
                case 13:
                    var contact = Contact($"Ny person {++_serial}");
                    await SaveAsync(contact);
                    Contacts.Add(contact.Id);
                    break;
            }
        }
    }

    [TestCase(15)]
    [TestCase(1515)]
    public async Task AReplayedCopyEqualsAFreshInitialSync(int seed)
    {
        var random = new Random(seed);
        var world = new World(await TestAuth.KeyClientAsync(Roles.Publisher), await TestAuth.KeyClientAsync(Roles.Admin), random);
        var photos = Enumerable.Range(0, 5).Select(i => Photo($"Foto {i}")).ToList();
        var contacts = Enumerable.Range(0, 4).Select(i => Contact($"Person {i}")).ToList();
        var pledges = new[] { Pledge(2020), Pledge(2021, ContentStatus.Draft) };
        var articles = Enumerable.Range(0, 6).Select(i => Article($"Start {i}", i % 3 == 0 ? ContentStatus.Draft : ContentStatus.Published, i)).ToList();
        for (var i = 0; i < articles.Count; i++)
        {
            articles[i].HeroPhotoId = photos[i % photos.Count].Id;
            articles[i].RefreshPhotoIds();
            articles[i].Contacts = [contacts[i % contacts.Count]];
            articles[i].PledgeId = pledges[i % 2].Id;
        }
        await SaveAsync([.. photos, .. contacts, .. pledges, .. articles]);
        world.Photos.AddRange(photos.Select(p => p.Id));
        world.Contacts.AddRange(contacts.Select(c => c.Id));
        world.Pledges.AddRange(pledges.Select(p => p.Id));
        world.Articles.AddRange(articles.Select(a => a.Id));

        var copy = await SyncCopy.InitialAsync(Client, pageSize: 4);
        var removals = 0;
        for (var step = 1; step <= 90; step++)
        {
            await world.StepAsync();
            if (step % 3 == 0)
            {
                var before = copy.Items.Count;
                // Small pages, so deltas page too.
                await copy.SyncAsync(Client, pageSize: random.Next(2, 6));
                removals += Math.Max(0, before - copy.Items.Count);
            }
            if (step % 30 == 0)
            {
                var fresh = await SyncCopy.InitialAsync(Client, pageSize: 7);
                Assert.That(copy.Items, Is.EquivalentTo(fresh.Items), $"after step {step}: [{string.Join(", ", world.Done)}]");
            }
        }
        Assert.That(world.Done, Has.Some.Contains("/erase").And.Some.Contains("/unpublish").And.Some.StartsWith("DELETE")
            .And.Some.Contains("/api/photos/").And.Some.Contains("/api/contacts/"), "the sequence did each kind of change");
        Assert.That(removals, Is.GreaterThan(0), "some deltas removed items");
    }
}
