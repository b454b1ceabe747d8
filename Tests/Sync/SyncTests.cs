using System.Net;
using System.Text.Json.Nodes;
using ContentApi.Api.Changes;
using ContentApi.Api.Sync;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Sync;

/// <summary>GET /api/sync: the initial sync, deltas, paging, tokens (README "Keeping a copy in sync").</summary>
public class SyncTests : ApiTest
{
    private static async Task SendAsync(HttpClient client, HttpMethod method, string url, object? body = null, bool withETag = false,
        string mediaType = "application/json", string? readAt = null)
    {
        string? etag = null;
        if (withETag)
        {
            using var current = await client.GetAsync(readAt ?? url);
            etag = current.ETag();
        }
        var (response, json) = await client.SendJson(method, url, body, etag, mediaType);
        Assert.That(response.IsSuccessStatusCode, $"{method} {url}: {(int)response.StatusCode} {json?.ToJsonString()}");
    }

    private static Task PatchAsync(HttpClient client, string url, string patch, string? readAt = null) =>
        SendAsync(client, HttpMethod.Patch, url, patch, withETag: true, "application/merge-patch+json", readAt);

    private static async Task AssertCopyIsFreshAsync(SyncCopy copy, string because)
    {
        var fresh = await SyncCopy.InitialAsync(Client);
        Assert.That(copy.Items, Is.EquivalentTo(fresh.Items), because);
    }

    [Test]
    public async Task InitialSyncSendsEverythingPublishedInTheShapeOfItsRestRouteAndNoDraft()
    {
        var hero = Photo();
        var draftPhoto = Photo("Ett foto bara ett utkast visar.");
        var contact = Contact();
        var draftContact = Contact("Bo Utkast");
        var pledge = Pledge(2024);
        var draftPledge = Pledge(2025, ContentStatus.Draft);
        var article = Article("Publicerad");
        article.HeroPhotoId = hero.Id;
        article.RefreshPhotoIds();
        article.Contacts = [contact];
        article.PledgeId = pledge.Id;
        var draft = Article("Utkast", ContentStatus.Draft);
        draft.HeroPhotoId = draftPhoto.Id;
        draft.RefreshPhotoIds();
        draft.Contacts = [draftContact];
        await SaveAsync(hero, draftPhoto, contact, draftContact, pledge, draftPledge, article, draft, Article("Arkiverad", ContentStatus.Archived));

        var copy = await SyncCopy.InitialAsync(Client);
        Assert.That(copy.Items.Keys, Is.EquivalentTo(new[]
        {
            $"Article:{article.Id}", $"Pledge:{pledge.Id}", $"Photo:{hero.Id}", $"Contact:{contact.Id}",
        }));
        Assert.That(copy.Pages, Is.EqualTo(1));
        var items = copy.Items.ToDictionary(i => i.Key, i => JsonNode.Parse(i.Value)!);
        Assert.That(items[$"Article:{article.Id}"]["article"]!.ToJsonString(), Is.EqualTo((await GetJson($"/api/articles/{article.Id}")).ToJsonString()));
        Assert.That(items[$"Pledge:{pledge.Id}"]["pledge"]!.ToJsonString(), Is.EqualTo((await GetJson("/api/pledges/by-year/2024")).ToJsonString()));
        Assert.That(items[$"Photo:{hero.Id}"]["photo"]!.ToJsonString(), Is.EqualTo((await GetJson($"/api/photos/{hero.Id}")).ToJsonString()));
        Assert.That(items[$"Contact:{contact.Id}"]["contact"]!.ToJsonString(), Is.EqualTo((await GetJson($"/api/contacts/{contact.Id}")).ToJsonString()));
        Assert.That(items[$"Article:{article.Id}"].AsObject().Select(p => p.Key), Is.EqualTo(new[] { "kind", "id", "article" }));

        // An editor's app gets the public view too, and that answer is private.
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var editorsCopy = await SyncCopy.InitialAsync(editor);
        Assert.That(editorsCopy.Items, Is.EquivalentTo(copy.Items));
        using var response = await editor.GetAsync("/api/sync");
        Assert.That(response.Headers.CacheControl, Has.Property("Private").True.And.Property("NoStore").True);
    }

    [Test]
    public async Task AnEmptyDeltaKeepsTheTokenAndAChangeComesWithTheNext()
    {
        var article = Article("Första");
        await SaveAsync(article);
        var copy = await SyncCopy.InitialAsync(Client);
        var token = copy.Token;
        var page = await copy.PageAsync(Client);
        Assert.That(page["items"]!.AsArray(), Is.Empty);
        Assert.That((bool)page["hasMore"]!, Is.False);
        Assert.That(copy.Token, Is.EqualTo(token));

        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        await SendAsync(publisher, HttpMethod.Post, $"/api/articles/{article.Id}/unpublish");
        page = await copy.PageAsync(Client);
        Assert.That(page["removed"]!.AsArray().Select(r => $"{r!["kind"]} {r["id"]}"), Is.EqualTo(new[] { $"Article {article.Id}" }));
        Assert.That(DateTimeOffset.Parse((string)page["removed"]![0]!["removedAt"]!), Is.GreaterThan(DateTimeOffset.UtcNow.AddMinutes(-5)));
        Assert.That(copy.Items, Is.Empty);
    }

    [Test]
    public async Task InitialAndDeltaArePagedAndAChangeMadeWhileTheInitialSyncPagesComesWithTheNextDelta()
    {
        var photo = Photo();
        var articles = Enumerable.Range(1, 7).Select(i => Article($"Artikel {i}", minutesAfterBase: i)).ToList();
        articles[0].HeroPhotoId = photo.Id;
        articles[0].RefreshPhotoIds();
        await SaveAsync([photo, .. articles]);
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);

        using (var response = await Client.GetAsync("/api/sync?pageSize=3"))
            Assert.That(response.Headers.CacheControl?.Public, Is.True, "the first page is the same for every app");
        var copy = new SyncCopy();
        var first = await copy.PageAsync(Client, pageSize: 3);
        using (var response = await Client.GetAsync($"/api/sync?pageSize=3&token={copy.Token}"))
            Assert.That(response.Headers.CacheControl?.NoStore, Is.True, "a later page of an initial sync is one app's");
        Assert.That(first["items"]!.AsArray(), Has.Count.EqualTo(3));
        Assert.That((bool)first["hasMore"]!, Is.True);
        // While the app pages: a new article, a changed one and a withdrawn one, wherever they fall in the order.
        var added = Article("Ny under synken", ContentStatus.Draft);
        await SaveAsync(added);
        await SendAsync(publisher, HttpMethod.Post, $"/api/articles/{added.Id}/publish");
        foreach (var changed in articles.Take(3))
        {
            await PatchAsync(publisher, $"/api/articles/{changed.Id}", """{"title":"Andrad under synken"}""");
            await SendAsync(publisher, HttpMethod.Post, $"/api/articles/{changed.Id}/publish");
        }
        await SendAsync(publisher, HttpMethod.Post, $"/api/articles/{articles[6].Id}/unpublish");
        await SendAsync(publisher, HttpMethod.Post, $"/api/articles/{articles[5].Id}/unpublish");
        while (copy.Items.Count < 100 && (bool)(await copy.PageAsync(Client, pageSize: 3))["hasMore"]! is true)
        {
        }
        // Two pages at least: how many more depends on where the withdrawn and the new articles fall in id order.
        Assert.That(copy.Pages, Is.GreaterThanOrEqualTo(2));

        var pagesBefore = copy.Pages;
        await copy.SyncAsync(Client, pageSize: 1);
        Assert.That(copy.Pages - pagesBefore, Is.GreaterThanOrEqualTo(5), "the delta is paged too");
        await AssertCopyIsFreshAsync(copy, "after the delta that follows the initial sync");
        Assert.That(copy.Items.Values.Count(v => v.Contains("Andrad under synken")), Is.EqualTo(3));
    }

    [Test]
    public async Task AChangedPhotoOrContactResendsTheArticlesAndPledgesThatShowIt()
    {
        var photo = Photo();
        var contact = Contact();
        var pledge = Pledge(2024);
        pledge.PhotoId = photo.Id;
        pledge.ContactId = contact.Id;
        var article = Article("Med foto");
        article.HeroPhotoId = photo.Id;
        article.Contacts = [contact];
        article.PledgeId = pledge.Id;
        article.RefreshPhotoIds();
        var other = Article("Utan foto");
        await SaveAsync(photo, contact, pledge, article, other);
        var copy = await SyncCopy.InitialAsync(Client);
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);

        await PatchAsync(publisher, $"/api/photos/{photo.Id}", """{"caption":"Ny bildtext."}""");
        var page = await copy.PageAsync(Client);
        Assert.That(page["items"]!.AsArray().Select(i => $"{i!["kind"]}:{i["id"]}"),
            Is.EquivalentTo(new[] { $"Photo:{photo.Id}", $"Article:{article.Id}", $"Pledge:{pledge.Id}" }));
        Assert.That(copy.Items[$"Article:{article.Id}"], Does.Contain("Ny bildtext."));
        Assert.That(copy.Items[$"Pledge:{pledge.Id}"], Does.Contain("Ny bildtext."));

        await PatchAsync(publisher, $"/api/contacts/{contact.Id}", """{"name":"Anna Bengtsson"}""");
        await PatchAsync(publisher, $"/api/pledges/{pledge.Id}", """{"title":"Nytt namn for loftet"}""", "/api/pledges/by-year/2024");
        await SendAsync(publisher, HttpMethod.Post, $"/api/pledges/{pledge.Id}/publish");
        await copy.SyncAsync(Client);
        Assert.That(copy.Items[$"Article:{article.Id}"], Does.Contain("Anna Bengtsson").And.Contain("Nytt namn for loftet"));
        await AssertCopyIsFreshAsync(copy, "after a contact's and a pledge's change");
    }

    [Test]
    public async Task APhotoThatOnlyCameIntoViewWithNewContentDoesNotResendWhatAlreadyShowedIt()
    {
        var photo = Photo();
        var shown = Article("Visar fotot");
        shown.HeroPhotoId = photo.Id;
        shown.RefreshPhotoIds();
        var second = Article("Visar det också", ContentStatus.Draft);
        second.HeroPhotoId = photo.Id;
        second.RefreshPhotoIds();
        await SaveAsync(photo, shown, second);
        var copy = await SyncCopy.InitialAsync(Client);

        await SendAsync(await TestAuth.KeyClientAsync(Roles.Publisher), HttpMethod.Post, $"/api/articles/{second.Id}/publish");
        var page = await copy.PageAsync(Client);
        Assert.That(page["items"]!.AsArray().Select(i => $"{i!["kind"]}:{i["id"]}"),
            Is.EquivalentTo(new[] { $"Article:{second.Id}", $"Photo:{photo.Id}" }), "the log names the photo (checked again), unchanged");
        await AssertCopyIsFreshAsync(copy, "after a publish that showed a photo again");
    }

    [Test]
    public async Task ATokenOlderThanTheRetentionIsGoneAndTheAppStartsOver()
    {
        var article = Article("Gammal");
        await SaveAsync(article);
        var copy = await SyncCopy.InitialAsync(Client);
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        await SendAsync(publisher, HttpMethod.Post, $"/api/articles/{article.Id}/unpublish");
        var retention = TestRun.Factory.Services.GetRequiredService<ChangeLogRetention>();
        Assert.That(await retention.PruneAsync(DateTimeOffset.UtcNow.AddMinutes(1), 100), Is.GreaterThan(0));

        var detail = await GetProblem($"/api/sync?token={copy.Token}", HttpStatusCode.Gone);
        Assert.That(detail, Does.Contain("GET /api/sync"));
        var fresh = await SyncCopy.InitialAsync(Client);
        Assert.That(fresh.Items, Is.Empty);
        Assert.That((await GetJson($"/api/sync?token={fresh.Token}"))["items"]!.AsArray(), Is.Empty, "a token from after the pruning works");
    }

    [TestCase("abc")]
    [TestCase("AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [TestCase("")]
    public async Task AMalformedTokenIsAProblem(string token) =>
        Assert.That(await GetProblem($"/api/sync?token={token}", HttpStatusCode.BadRequest), Does.Contain("token"));

    [Test]
    public async Task ATokenAheadOfTheLogOrABadPageSizeIsAProblem()
    {
        await using var db = TestRun.Factory.CreateDbContext();
        var ahead = SyncToken.At((await ChangeLog.StateAsync(db)).LastPosition + 10).Encode();
        Assert.That(await GetProblem($"/api/sync?token={ahead}", HttpStatusCode.BadRequest), Does.Contain("start over"));
        await GetProblem("/api/sync?pageSize=0", HttpStatusCode.BadRequest);
        await GetProblem("/api/sync?pageSize=101", HttpStatusCode.BadRequest);
        await GetProblem("/api/sync?since=1", HttpStatusCode.BadRequest);
    }

    [Test]
    public void GuidOrderIsPostgreSqlUuidOrder()
    {
        var ids = Enumerable.Range(0, 200).Select(_ => Guid.NewGuid()).ToList();
        using var db = TestRun.Factory.CreateDbContext();
        var sorted = Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions
            .SqlQueryRaw<Guid>(db.Database, "SELECT unnest({0}::uuid[]) AS \"Value\" ORDER BY 1", ids.ToArray()).ToList();
        Assert.That(ids.Order().ToList(), Is.EqualTo(sorted), "the sync's cursor compares ids in .NET and in PostgreSQL");
    }
}
