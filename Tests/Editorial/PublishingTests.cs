using System.Net;
using ContentApi.Api.Editorial;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Editorial;

public class PublishingTests : ApiTest
{
    [Test]
    public async Task PublishingIsRefusedWhileAPhotoLacksAltTextAndSaysWhichOne()
    {
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var good = Photo();
        var bad = Photo("");
        var draft = Article("Bilder", ContentStatus.Draft);
        draft.HeroPhotoId = good.Id;
        draft.Body = [Block.Paragraph("Text"), Block.Image(bad.Id)];
        await SaveAsync(good, bad, draft);

        var (refused, json) = await publisher.SendJson(HttpMethod.Post, $"/api/articles/{draft.Id}/publish");
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity), json?.ToJsonString());
        Assert.That((string?)json!["detail"], Does.Contain(bad.Id.ToString()).And.Not.Contain(good.Id.ToString()));
        Assert.That(json["errors"]![$"photos[{bad.Id}]"], Is.Not.Null);
        await GetProblem("/api/articles/by-slug/bilder", HttpStatusCode.NotFound);
    }

    [Test]
    public async Task PublishingNeedsATitleLeadAndBody()
    {
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var draft = Article("Tom", ContentStatus.Draft);
        draft.Lead = "";
        draft.Body = [];
        await SaveAsync(draft);
        var (refused, json) = await publisher.SendJson(HttpMethod.Post, $"/api/articles/{draft.Id}/publish");
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity));
        Assert.That(json!["errors"]!.AsObject().Select(e => e.Key), Is.EquivalentTo(new[] { "lead", "body" }));
    }

    [Test]
    public async Task ChangingThePublishedSlugKeepsTheOldOneRedirecting()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var article = Article("Gammal rubrik");
        await SaveAsync(article);

        var (patched, _) = await editor.SendJson(HttpMethod.Patch, $"/api/articles/{article.Id}", """{"slug":"ny-adress"}""",
            ifMatch: "\"1\"", mediaType: "application/merge-patch+json");
        Assert.That(patched.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await publisher.SendJson(HttpMethod.Post, $"/api/articles/{article.Id}/publish")).Response.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = Client.BaseAddress };
        using var old = await noRedirects.GetAsync("/api/articles/by-slug/gammal-rubrik");
        Assert.That(old.StatusCode, Is.EqualTo(HttpStatusCode.MovedPermanently));
        Assert.That(old.Headers.Location?.ToString(), Is.EqualTo("/api/articles/by-slug/ny-adress"));
        Assert.That((string?)(await GetJson("/api/articles/by-slug/ny-adress"))["id"], Is.EqualTo(article.Id.ToString()));
    }

    [Test]
    public async Task EditingADraftDoesNotMoveUpdatedAtOfPublishedContent()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var article = Article("Stabil");
        await SaveAsync(article);
        TestRun.Factory.Clock.Now = TestRun.Factory.Clock.Now.AddDays(3);
        await editor.SendJson(HttpMethod.Patch, $"/api/articles/{article.Id}", """{"lead":"Ändrad ingress."}""", ifMatch: "\"1\"", mediaType: "application/merge-patch+json");
        Assert.That((string?)(await GetJson("/api/articles/by-slug/stabil"))["updatedAt"], Is.EqualTo("2024-03-01T08:00:00Z"));
    }

    [Test]
    public async Task UnpublishAndArchiveTakeAnArticleOffTheSite()
    {
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var a = Article("Ska bort");
        var b = Article("Ska arkiveras");
        await SaveAsync(a, b);
        Assert.That((await publisher.SendJson(HttpMethod.Post, $"/api/articles/{a.Id}/unpublish")).Response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var (archived, json) = await publisher.SendJson(HttpMethod.Post, $"/api/articles/{b.Id}/archive");
        Assert.That((string?)json!["status"], Is.EqualTo("Archived"));
        Assert.That((await GetJson("/api/articles"))["items"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task PledgeIsPublishedAndUnpublished()
    {
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var pledge = Pledge(2025, ContentStatus.Draft);
        await SaveAsync(pledge);
        Assert.That((await publisher.SendJson(HttpMethod.Post, $"/api/pledges/{pledge.Id}/publish")).Response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((int?)(await GetJson("/api/pledges/by-year/2025"))["year"], Is.EqualTo(2025));
        Assert.That((await publisher.SendJson(HttpMethod.Post, $"/api/pledges/{pledge.Id}/unpublish")).Response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await GetProblem("/api/pledges/by-year/2025", HttpStatusCode.NotFound);
    }

    [Test]
    public async Task EditorsPreviewDraftsThroughODataWhileAnonymousReadersDoNot()
    {
        var editor = TestAuth.TokenClient(Roles.Editor);
        await SaveAsync(Article("Utkast", ContentStatus.Draft), Article("Publicerad"));
        var (preview, json) = await editor.SendJson(HttpMethod.Get, "/odata/Articles?$select=title&$orderby=title");
        Assert.That(Strings(json!["value"], "title"), Is.EqualTo(new[] { "Publicerad", "Utkast" }));
        Assert.That(preview.Headers.CacheControl?.NoStore, Is.True);
        Assert.That(Strings((await GetJson("/odata/Articles?$select=title"))["value"], "title"), Is.EqualTo(new[] { "Publicerad" }));
        var (list, listJson) = await editor.SendJson(HttpMethod.Get, "/api/articles?status=Draft");
        Assert.That(Strings(listJson!["items"], "title"), Is.EqualTo(new[] { "Utkast" }));
    }

    [Test]
    public async Task ScheduledPublishAndUnpublishHappenWhenTheirTimeComesAndTwiceDoesNoHarm()
    {
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var draft = Article("Planerad", ContentStatus.Draft);
        await SaveAsync(draft);
        var clock = TestRun.Factory.Clock;
        var runner = TestRun.Factory.Services.GetRequiredService<ScheduleRunner>();

        var publishAt = clock.Now.AddHours(2);
        var (scheduled, _) = await publisher.SendJson(HttpMethod.Post, $"/api/articles/{draft.Id}/schedules", new { action = "Publish", at = publishAt });
        Assert.That(scheduled.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        await publisher.SendJson(HttpMethod.Post, $"/api/articles/{draft.Id}/schedules", new { action = "Publish", at = publishAt.AddMinutes(1) });
        await publisher.SendJson(HttpMethod.Post, $"/api/articles/{draft.Id}/schedules", new { action = "Unpublish", at = publishAt.AddDays(1) });

        Assert.That(await runner.RunDueAsync(CancellationToken.None), Is.EqualTo(0));
        await GetProblem("/api/articles/by-slug/planerad", HttpStatusCode.NotFound);

        clock.Now = publishAt.AddSeconds(30);
        Assert.That(await runner.RunDueAsync(CancellationToken.None), Is.EqualTo(1));
        Assert.That((string?)(await GetJson("/api/articles/by-slug/planerad"))["publishedAt"], Is.EqualTo(publishAt.AddSeconds(30).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'")));

        clock.Now = publishAt.AddMinutes(2);
        Assert.That(await runner.RunDueAsync(CancellationToken.None), Is.EqualTo(1), "the second publish is carried out");
        var (schedules, json) = await publisher.SendJson(HttpMethod.Get, $"/api/articles/{draft.Id}/schedules");
        Assert.That(Strings(json, "outcome"), Is.EqualTo(new[] { "published", "already published", null }));

        clock.Now = publishAt.AddDays(1).AddSeconds(1);
        await runner.RunDueAsync(CancellationToken.None);
        await GetProblem("/api/articles/by-slug/planerad", HttpStatusCode.NotFound);
    }

    [Test]
    public async Task ScheduleInThePastIsRefused()
    {
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var draft = Article("Sen", ContentStatus.Draft);
        await SaveAsync(draft);
        var (response, _) = await publisher.SendJson(HttpMethod.Post, $"/api/articles/{draft.Id}/schedules",
            new { action = "Publish", at = TestRun.Factory.Clock.Now.AddDays(-1) });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }
}
