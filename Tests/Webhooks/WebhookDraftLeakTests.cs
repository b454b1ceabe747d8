using System.Net;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Webhooks;

/// <summary>Draft work never reaches a receiver: it writes nothing to the log, and payloads are read as the public reads.</summary>
public class WebhookDraftLeakTests : WebhookTest
{
    [Test]
    public async Task DraftOnlyWorkSendsNothingAndAPayloadNeverCarriesAPendingVersion()
    {
        // Disabled while the drafts are written: the publish before them is delivered after them, when the payload is made.
        var (id, secret) = await SubscribeAsync(["*"], enabled: false);
        var published = Article("Offentlig rubrik");
        var draft = Article("Hemligt utkast", ContentStatus.Draft);
        await SaveAsync(published, draft);
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        using (var current = await editor.GetAsync($"/api/articles/{published.Id}"))
        {
            var (patched, json) = await editor.SendJson(HttpMethod.Patch, $"/api/articles/{published.Id}",
                """{"title":"Hemlig ny rubrik","lead":"Hemlig ingress."}""", current.ETag(), "application/merge-patch+json");
            Assert.That(patched.IsSuccessStatusCode, json?.ToJsonString());
        }
        var (created, createdJson) = await editor.SendJson(HttpMethod.Post, "/api/articles",
            new { title = "Hemlig nyhet", lead = "Hemlig.", body = new[] { new { type = "Paragraph", text = "Hemlig text." } } });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), createdJson?.ToJsonString());

        var (enabled, enabledJson) = await Admin.SendJson(HttpMethod.Put, $"/api/admin/webhooks/{id}", new { url = Receiver.Url, events = new[] { "*" } });
        Assert.That(enabled.StatusCode, Is.EqualTo(HttpStatusCode.OK), enabledJson?.ToJsonString());
        var sentinel = Article("Vakten");
        await SaveAsync(sentinel);
        var received = await Receiver.WaitForAsync(2, "the publish and the sentinel");

        Assert.That(received.Select(r => (string?)Verified(r, secret)["data"]!["id"]), Is.EquivalentTo(new[] { published.Id.ToString(), sentinel.Id.ToString() }),
            "nothing for the draft article, the pending version or the new draft: " + string.Join(" | ", received.Select(r => r.Body)));
        Assert.That((string?)received.Single(r => (string?)r.Json["data"]!["id"] == published.Id.ToString()).Json["data"]!["slug"],
            Is.EqualTo("offentlig-rubrik"), "the live slug, not the pending one");
        Assert.That(received.Select(r => r.Body), Has.None.Contains("emlig"), "no draft text in any payload");
        var log = await DeliveryLogAsync(id);
        Assert.That(log["items"]!.AsArray(), Has.Count.EqualTo(2));
    }
}
