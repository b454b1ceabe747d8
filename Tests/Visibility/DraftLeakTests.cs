using System.Net;
using System.Text.Json.Nodes;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Visibility;

/// <summary>Drafts and archived content never reach an anonymous client, by any route.</summary>
public class DraftLeakTests : ApiTest
{
    private static IEnumerable<ContentStatus> Hidden => [ContentStatus.Draft, ContentStatus.Archived];

    [TestCaseSource(nameof(Hidden))]
    public async Task HiddenAndPendingContentIsInNoOpenDataFileNotEvenAnEditors(ContentStatus status)
    {
        var published = Article("Publicerad", tags: ["trafik"]);
        // Its dates would move the catalogue's modified date and coverage (2025-04-05) if it counted.
        var hidden = Article("Dold", status, minutesAfterBase: 60 * 24 * 400, tags: ["hemligtagg"]);
        var pledge = Pledge(2024);
        var hiddenPledge = Pledge(2099, status);
        hiddenPledge.PriorityAreas[0].Commitments[0].Text = "Dolt åtagande.";
        await SaveAsync(published, hidden, pledge, hiddenPledge);
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var (patched, _) = await editor.SendJson(HttpMethod.Patch, $"/api/articles/{published.Id}", """{"title":"Väntande ändring"}""",
            ifMatch: "\"1\"", mediaType: "application/merge-patch+json");
        Assert.That(patched.IsSuccessStatusCode, await patched.Content.ReadAsStringAsync());
        (patched, _) = await editor.SendJson(HttpMethod.Patch, $"/api/pledges/{pledge.Id}",
            """{"priorityAreas":[{"title":"Väntande område","description":"","commitments":[{"text":"Väntande åtagande.","responsibleParty":"Kommunen","status":"Done"}]}]}""",
            ifMatch: "\"1\"", mediaType: "application/merge-patch+json");
        Assert.That(patched.IsSuccessStatusCode, await patched.Content.ReadAsStringAsync());

        foreach (var client in new[] { Client, editor })
            foreach (var url in new[]
            {
                "/api/opendata/articles.csv", "/api/opendata/articles.csv?tag=hemligtagg", "/api/opendata/commitments.csv",
                "/api/opendata/commitments.csv?year=2099", "/api/opendata/catalog.rdf", "/api/opendata/catalog.jsonld", "/api/opendata/catalog",
            })
            {
                using var response = await client.GetAsync(url);
                var body = await response.Content.ReadAsStringAsync();
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), url);
                Assert.That(body, Does.Not.Contain("Dold").And.Not.Contain("Väntande").And.Not.Contain(hidden.Id.ToString()).And.Not.Contain("hemligtagg")
                    .And.Not.Contain("2099-12-31").And.Not.Contain("2025-04-05"), url);
            }
        Assert.That(await Client.GetStringAsync("/api/opendata/articles.csv"), Does.Contain("Publicerad"));
        Assert.That(await Client.GetStringAsync("/api/opendata/commitments.csv"), Does.Contain("Samverkansforum."));
    }


    [TestCaseSource(nameof(Hidden))]
    public async Task HiddenArticleIsNotListedNorCounted(ContentStatus status)
    {
        await SaveAsync(Article("Publicerad", tags: ["trafik"]), Article("Dold", status, minutesAfterBase: 5, tags: ["trafik"]));

        foreach (var url in new[] { "/api/articles", "/api/articles?tag=trafik" })
        {
            var list = await GetJson(url);
            Assert.That(Strings(list["items"], "title"), Is.EqualTo(new[] { "Publicerad" }), url);
            Assert.That((int?)list["totalCount"], Is.EqualTo(1), url);
        }
    }

    [TestCaseSource(nameof(Hidden))]
    public async Task HiddenArticleAndPendingChangesAreInNoFeedNotEvenAnEditors(ContentStatus status)
    {
        var photo = Photo();
        var hidden = Article("Dold", status, minutesAfterBase: 5, tags: ["trafik"]);
        hidden.HeroPhotoId = photo.Id;
        var published = Article("Publicerad", tags: ["trafik"]);
        await SaveAsync(photo, published, hidden);
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        // A published article's next version waits unpublished.
        var (patched, _) = await editor.SendJson(HttpMethod.Patch, $"/api/articles/{published.Id}", """{"title":"Väntande ändring"}""",
            ifMatch: "\"1\"", mediaType: "application/merge-patch+json");
        Assert.That(patched.IsSuccessStatusCode, await patched.Content.ReadAsStringAsync());

        foreach (var client in new[] { Client, editor })
            foreach (var url in new[] { "/api/feeds/articles.rss", "/api/feeds/articles.atom", "/api/feeds/tags/trafik.rss", "/api/feeds/tags/trafik.atom" })
            {
                var body = await client.GetStringAsync(url);
                Assert.That(Feeds.FeedTests.Titles(Feeds.FeedTests.Read(body)), Is.EqualTo(new[] { "Publicerad" }), url);
                Assert.That(body, Does.Not.Contain("Dold").And.Not.Contain("Väntande").And.Not.Contain(hidden.Id.ToString())
                    .And.Not.Contain(photo.Id.ToString()), url);
            }
    }

    [TestCaseSource(nameof(Hidden))]
    public async Task ATagOnlyHiddenArticlesOrAPendingVersionCarryIsInNoTagListNotEvenAnEditors(ContentStatus status)
    {
        var published = Article("Publicerad", tags: ["trafik"]);
        await SaveAsync(published, Article("Dold", status, minutesAfterBase: 5, tags: ["trafik", "hemlig"]));
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var (patched, _) = await editor.SendJson(HttpMethod.Patch, $"/api/articles/{published.Id}", """{"tags":["trafik","väntande"]}""",
            ifMatch: "\"1\"", mediaType: "application/merge-patch+json");
        Assert.That(patched.IsSuccessStatusCode, await patched.Content.ReadAsStringAsync());

        foreach (var client in new[] { Client, editor })
        {
            var tags = await GetJson(client, "/api/tags");
            Assert.That(tags.AsArray().Select(t => ((string?)t!["name"], (int?)t["articleCount"])), Is.EqualTo(new[] { ((string?)"trafik", (int?)1) }));
            var odata = await GetJson(client, "/odata/Tags?$count=true");
            Assert.That(Strings(odata["value"], "name"), Is.EqualTo(new[] { "trafik" }));
            Assert.That((int?)odata["@odata.count"], Is.EqualTo(1));
            await GetJson(client, "/odata/Tags('hemlig')", HttpStatusCode.NotFound);
            await GetJson(client, "/odata/Tags('väntande')", HttpStatusCode.NotFound);
        }
    }

    [TestCaseSource(nameof(Hidden))]
    public async Task HiddenArticleIsNotFoundBySlugOrId(ContentStatus status)
    {
        var article = Article("Hemligt utkast", status);
        await SaveAsync(article);

        await GetProblem("/api/articles/by-slug/hemligt-utkast", HttpStatusCode.NotFound);
        await GetProblem($"/api/articles/{article.Id}", HttpStatusCode.NotFound);
        await GetProblem($"/odata/Articles({article.Id})", HttpStatusCode.NotFound);
    }

    [TestCaseSource(nameof(Hidden))]
    public async Task HiddenArticleIsNotReachableThroughODataFilter(ContentStatus status)
    {
        await SaveAsync(Article("Publicerad"), Article("Dold", status));

        var byStatus = await GetJson($"/odata/Articles?$filter=status eq '{status}'&$count=true");
        Assert.That(byStatus["value"]!.AsArray(), Is.Empty);
        Assert.That((int?)byStatus["@odata.count"], Is.EqualTo(0));
        var byTitle = await GetJson("/odata/Articles?$filter=title eq 'Dold' or startswith(title, 'D')");
        Assert.That(byTitle["value"]!.AsArray(), Is.Empty);
        var all = await GetJson("/odata/Articles?$count=true");
        Assert.That((int?)all["@odata.count"], Is.EqualTo(1));
    }

    [TestCaseSource(nameof(Hidden))]
    public async Task HiddenArticleAndPendingTagsAreNotCountedByAggregation(ContentStatus status)
    {
        var pledge = Pledge(2024, ContentStatus.Draft);
        var hidden = Article("Dold", status, minutesAfterBase: 5, tags: ["trafik", "hemlig"]);
        hidden.PledgeId = pledge.Id;
        var published = Article("Publicerad", tags: ["trafik"]);
        published.PledgeId = pledge.Id;
        await SaveAsync(pledge, published, hidden);
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var (patched, _) = await editor.SendJson(HttpMethod.Patch, $"/api/articles/{published.Id}", """{"tags":["väntande"]}""",
            ifMatch: "\"1\"", mediaType: "application/merge-patch+json");
        Assert.That(patched.IsSuccessStatusCode, await patched.Content.ReadAsStringAsync());

        var perTag = await GetJson("/odata/ArticleTags?$apply=groupby((tag),aggregate($count as articles))&$count=true");
        Assert.That(perTag.ToJsonString(), Does.Contain("\"tag\":\"trafik\",\"articles\":1").And.Not.Contain("hemlig").And.Not.Contain("väntande"));
        Assert.That((int?)perTag["@odata.count"], Is.EqualTo(1));
        Assert.That((await GetJson("/odata/ArticleTags?$filter=tag ne 'trafik'"))["value"]!.AsArray(), Is.Empty);
        Assert.That((int?)(await GetJson("/odata/Articles?$apply=aggregate($count as articles)"))["value"]![0]!["articles"], Is.EqualTo(1));
        Assert.That(Strings((await GetJson("/odata/Articles?$apply=groupby((status))"))["value"], "status"), Is.EqualTo(new[] { "Published" }));
        Assert.That((await GetJson("/odata/Articles?$apply=filter(pledge ne null)/groupby((pledge/year))"))["value"]!.AsArray(), Is.Empty);
        Assert.That((await GetJson("/odata/Articles?$compute=year(publishedAt) as year&$select=title,year"))["value"]!.AsArray(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task DraftPledgeIsHiddenByYearAsCurrentInTheListAndInsideAPublishedArticle()
    {
        var pledge = Pledge(2024, ContentStatus.Draft);
        var article = Article("Om löftet");
        article.PledgeId = pledge.Id;
        await SaveAsync(pledge, article);

        await GetProblem("/api/pledges/by-year/2024", HttpStatusCode.NotFound);
        await GetProblem("/api/pledges/current", HttpStatusCode.NotFound);
        Assert.That((await GetJson("/api/pledges")).AsArray(), Is.Empty);
        Assert.That((await GetJson("/api/articles/by-slug/om-loftet"))["pledge"], Is.Null);
        Assert.That((await GetJson("/odata/Articles?$expand=pledge"))["value"]![0]!["pledge"], Is.Null);
        Assert.That((await GetJson("/odata/Pledges"))["value"]!.AsArray(), Is.Empty);
        await GetProblem($"/odata/Pledges({pledge.Id})", HttpStatusCode.NotFound);
    }

    [Test]
    public async Task DraftArticleIsInvisibleThroughExpandFromPublishedContent()
    {
        var pledge = Pledge(2024);
        var contact = Contact();
        var published = Article("Publicerad");
        var draft = Article("Utkast", ContentStatus.Draft);
        foreach (var a in new[] { published, draft })
        {
            a.PledgeId = pledge.Id;
            a.Contacts = [contact];
        }
        await SaveAsync(pledge, contact, published, draft);

        Assert.That(Strings((await GetJson("/api/pledges/by-year/2024"))["articles"], "title"), Is.EqualTo(new[] { "Publicerad" }));
        Assert.That(Titles(await GetJson("/odata/Pledges?$expand=articles"), "articles"), Is.EqualTo(new[] { "Publicerad" }));
        Assert.That(Titles(await GetJson("/odata/Contacts?$expand=articles"), "articles"), Is.EqualTo(new[] { "Publicerad" }));
        Assert.That(Titles(await GetJson("/odata/Pledges?$expand=articles($filter=startswith(title,'U'))"), "articles"), Is.Empty);
        // Where an expanded list's nextLink leads.
        Assert.That(Strings((await GetJson($"/odata/Pledges({pledge.Id})/articles"))["value"], "title"), Is.EqualTo(new[] { "Publicerad" }));
        Assert.That(Strings((await GetJson($"/odata/Contacts/{contact.Id}/articles?$filter=startswith(title,'U')"))["value"], "title"), Is.Empty);
        Assert.That(Strings((await GetJson($"/odata/Contacts({contact.Id})/articles"))["value"], "title"), Is.EqualTo(new[] { "Publicerad" }));
    }

    [Test]
    public async Task PhotoUsedOnlyByDraftsIsHidden()
    {
        var heroOfDraft = Photo();
        var inDraftBody = Photo();
        var ofDraftPledge = Photo();
        var draft = Article("Utkast", ContentStatus.Draft);
        draft.HeroPhotoId = heroOfDraft.Id;
        draft.Body = [Block.Image(inDraftBody.Id)];
        var pledge = Pledge(2024, ContentStatus.Draft);
        pledge.PhotoId = ofDraftPledge.Id;
        await SaveAsync(heroOfDraft, inDraftBody, ofDraftPledge, draft, pledge);

        foreach (var photo in new[] { heroOfDraft, inDraftBody, ofDraftPledge })
        {
            await GetProblem($"/api/photos/{photo.Id}", HttpStatusCode.NotFound);
            await GetProblem($"/api/photos/{photo.Id}/file", HttpStatusCode.NotFound);
            await GetProblem($"/odata/Photos({photo.Id})", HttpStatusCode.NotFound);
        }
        Assert.That((await GetJson("/odata/Photos"))["value"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task PhotoUsedByPublishedContentIsVisibleEvenWhenADraftUsesItToo()
    {
        var photo = Photo();
        var draft = Article("Utkast", ContentStatus.Draft);
        draft.HeroPhotoId = photo.Id;
        var published = Article("Publicerad");
        published.Body = [Block.Image(photo.Id)];
        await SaveAsync(photo, draft, published);

        await GetJson($"/api/photos/{photo.Id}");
        Assert.That((await GetJson("/odata/Photos"))["value"]!.AsArray(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task ContactNamedOnlyByDraftsIsHidden()
    {
        var onDraftArticle = Contact("Anna Utkast");
        var onDraftPledge = Contact("Bo Utkast");
        var draft = Article("Utkast", ContentStatus.Archived);
        draft.Contacts = [onDraftArticle];
        var pledge = Pledge(2024, ContentStatus.Draft);
        pledge.ContactId = onDraftPledge.Id;
        await SaveAsync(onDraftArticle, onDraftPledge, draft, pledge);

        foreach (var contact in new[] { onDraftArticle, onDraftPledge })
        {
            await GetProblem($"/api/contacts/{contact.Id}", HttpStatusCode.NotFound);
            await GetProblem($"/odata/Contacts({contact.Id})", HttpStatusCode.NotFound);
        }
        Assert.That((await GetJson("/odata/Contacts"))["value"]!.AsArray(), Is.Empty);
        Assert.That((await GetJson("/odata/Contacts?$filter=contains(name,'Utkast')"))["value"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task NoDraftArchivedOrPendingContentReachesTheAppsSync()
    {
        var photo = Photo("Ett foto bara utkast visar.");
        var contact = Contact("Cecilia Utkast");
        var draft = Article("Utkast", ContentStatus.Draft);
        draft.HeroPhotoId = photo.Id;
        draft.RefreshPhotoIds();
        draft.Contacts = [contact];
        var archived = Article("Arkiverad", ContentStatus.Archived);
        var pledge = Pledge(2024, ContentStatus.Draft);
        pledge.ContactId = contact.Id;
        var published = Article("Publicerad");
        await SaveAsync(photo, contact, draft, archived, pledge, published);
        var editor = await TestAuth.KeyClientAsync(Roles.Publisher);

        foreach (var client in new[] { Client, editor })
        {
            var copy = await Sync.SyncCopy.InitialAsync(client, pageSize: 2);
            Assert.That(copy.Items.Keys, Is.EqualTo(new[] { $"Article:{published.Id}" }));
            // Draft work after the initial sync: a pending version of the published article, a new draft, a draft's edit.
            var (response, _) = await editor.SendJson(HttpMethod.Patch, $"/api/articles/{published.Id}", """{"title":"Hemlig ny rubrik"}""",
                (await editor.GetAsync($"/api/articles/{published.Id}")).ETag(), "application/merge-patch+json");
            Assert.That(response.IsSuccessStatusCode);
            await SaveAsync(Article($"Nytt utkast {client.GetHashCode()}", ContentStatus.Draft));
            await copy.SyncAsync(client);
            Assert.That(copy.Items.Keys, Is.EqualTo(new[] { $"Article:{published.Id}" }));
            Assert.That(copy.Items.Values.Single(), Does.Not.Contain("Hemlig").And.Not.Contain("Utkast").And.Not.Contain("pendingChanges"));
        }
    }

    private static List<string?> Titles(JsonNode odata, string navigation) =>
        odata["value"]!.AsArray().SelectMany(e => e![navigation]!.AsArray()).Select(a => (string?)a!["title"]).ToList();
}
