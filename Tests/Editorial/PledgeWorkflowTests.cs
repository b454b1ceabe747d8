using System.Net;
using System.Text.Json.Nodes;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Editorial;

/// <summary>Pledges go through the article workflow: a change to a published pledge waits for a publisher.</summary>
public class PledgeWorkflowTests : ApiTest
{
    [Test]
    public async Task AnEditorsChangeToAPublishedPledgeIsPendingUntilAPublisherPublishesIt()
    {
        var pledge = Pledge(2024);
        await SaveAsync(pledge);
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var (patched, json) = await editor.SendJson(HttpMethod.Patch, $"/api/pledges/{pledge.Id}",
            """{"title":"Ändrat löfte","priorityAreas":[{"title":"Trafik","description":"x","commitments":[{"text":"Samverkansforum.","responsibleParty":"Kommunen","status":"Planned"}]}]}""",
            ifMatch: "\"1\"", mediaType: "application/merge-patch+json");
        Assert.That(patched.StatusCode, Is.EqualTo(HttpStatusCode.OK), json?.ToJsonString());
        Assert.That((string?)json!["title"], Is.EqualTo("Ändrat löfte"));
        Assert.That((bool?)json["hasPendingChanges"], Is.True);

        foreach (var url in new[] { "/api/pledges/by-year/2024", "/api/pledges/current" })
        {
            var live = await GetJson(url);
            Assert.That((string?)live["title"], Is.EqualTo("Medborgarlöfte 2024"), url);
            Assert.That((int?)live["progress"]!["done"], Is.EqualTo(1), url);
        }
        Assert.That(Strings((await GetJson("/odata/Pledges?$select=title"))["value"], "title"), Is.EqualTo(new[] { "Medborgarlöfte 2024" }));
        Assert.That(Strings((await GetJson("/api/pledges"))!, "title"), Is.EqualTo(new[] { "Medborgarlöfte 2024" }));

        using var preview = await editor.GetAsync("/api/pledges/by-year/2024");
        var previewJson = JsonNode.Parse(await preview.Content.ReadAsStringAsync())!;
        Assert.That((string?)previewJson["title"], Is.EqualTo("Ändrat löfte"));
        Assert.That(preview.Headers.CacheControl?.NoStore, Is.True);
        var odataPreview = JsonNode.Parse(await editor.GetStringAsync("/odata/Pledges?$filter=title eq 'Ändrat löfte'&$count=true"))!;
        Assert.That((int?)odataPreview["@odata.count"], Is.EqualTo(1));

        var (refused, _) = await editor.SendJson(HttpMethod.Post, $"/api/pledges/{pledge.Id}/publish");
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "publishing needs a publisher");

        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var (published, publishedJson) = await publisher.SendJson(HttpMethod.Post, $"/api/pledges/{pledge.Id}/publish");
        Assert.That(published.StatusCode, Is.EqualTo(HttpStatusCode.OK), publishedJson?.ToJsonString());
        Assert.That((bool?)publishedJson!["hasPendingChanges"], Is.False);
        var after = await GetJson("/api/pledges/by-year/2024");
        Assert.That((string?)after["title"], Is.EqualTo("Ändrat löfte"));
        Assert.That((int?)after["progress"]!["done"], Is.EqualTo(0));
    }

    [Test]
    public async Task UnpublishingAPledgeWithAPendingVersionMakesThatVersionTheDraft()
    {
        var pledge = Pledge(2024);
        await SaveAsync(pledge);
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        await editor.SendJson(HttpMethod.Patch, $"/api/pledges/{pledge.Id}", """{"title":"Nästa version"}""",
            ifMatch: "\"1\"", mediaType: "application/merge-patch+json");
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var (unpublished, json) = await publisher.SendJson(HttpMethod.Post, $"/api/pledges/{pledge.Id}/unpublish");
        Assert.That(unpublished.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((string?)json!["title"], Is.EqualTo("Nästa version"));
        Assert.That((string?)json["status"], Is.EqualTo("Draft"));
        await GetProblem("/api/pledges/by-year/2024", HttpStatusCode.NotFound);
    }

    [Test]
    public async Task CommitmentsKeepTheirIdsAcrossVersions()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        object Area(params object[] commitments) => new { title = "Trafik", description = "x", commitments };
        var (created, json) = await editor.SendJson(HttpMethod.Post, "/api/pledges", new
        {
            year = 2025, title = "Medborgarlöfte 2025", summary = "Samverkan.", validFrom = "2025-01-01", validTo = "2025-12-31",
            priorityAreas = new[] { Area(new { text = "Forum", responsibleParty = "Kommunen", status = "Planned" },
                new { text = "Dialog", responsibleParty = "Polisen", status = "Planned" }) },
        });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), json?.ToJsonString());
        var id = (string)json!["id"]!;
        List<string> Ids(JsonNode pledge) => [.. pledge["priorityAreas"]![0]!["commitments"]!.AsArray().Select(c => (string)c!["id"]!)];
        var first = Ids(json);
        Assert.That(first, Has.Count.EqualTo(2).And.Unique);
        Assert.That(first, Has.None.EqualTo(Guid.Empty.ToString()));

        // The same texts with a new status and no ids: the same commitments.
        var (put, putJson) = await editor.SendJson(HttpMethod.Put, $"/api/pledges/{id}", new
        {
            year = 2025, title = "Medborgarlöfte 2025", summary = "Samverkan.", validFrom = "2025-01-01", validTo = "2025-12-31",
            priorityAreas = new[] { Area(new { text = "Dialog", responsibleParty = "Polisen", status = "Done" },
                new { text = "Forum", responsibleParty = "Kommunen", status = "InProgress" }) },
        }, ifMatch: "\"1\"");
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), putJson?.ToJsonString());
        Assert.That(Ids(putJson!), Is.EqualTo(new[] { first[1], first[0] }));

        // An id sent keeps the commitment whatever its new text; one without an id and a new text is new.
        var (patched, patchedJson) = await editor.SendJson(HttpMethod.Patch, $"/api/pledges/{id}", new JsonObject
        {
            ["priorityAreas"] = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(new[] { Area(
                new { id = first[0], text = "Forum om trafikmiljön", responsibleParty = "Kommunen", status = "Done" },
                new { text = "A-traktorer", responsibleParty = "Polisen", status = "Planned" }) })),
        }.ToJsonString(), ifMatch: "\"2\"", mediaType: "application/merge-patch+json");
        Assert.That(patched.StatusCode, Is.EqualTo(HttpStatusCode.OK), patchedJson?.ToJsonString());
        var third = Ids(patchedJson!);
        Assert.That(third[0], Is.EqualTo(first[0]));
        Assert.That(third[1], Is.Not.EqualTo(first[0]).And.Not.EqualTo(first[1]));

        var (duplicate, duplicateJson) = await editor.SendJson(HttpMethod.Patch, $"/api/pledges/{id}", new JsonObject
        {
            ["priorityAreas"] = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(new[] { Area(
                new { id = first[0], text = "Ett", responsibleParty = "Kommunen", status = "Done" },
                new { id = first[0], text = "Två", responsibleParty = "Polisen", status = "Planned" }) })),
        }.ToJsonString(), ifMatch: "\"3\"", mediaType: "application/merge-patch+json");
        Assert.That(duplicate.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), duplicateJson?.ToJsonString());
    }
}
