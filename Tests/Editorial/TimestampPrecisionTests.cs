using System.Net;
using System.Text.Json.Nodes;
using ContentApi.Domain;
using ContentApi.Tests.Support;

namespace ContentApi.Tests.Editorial;

/// <summary>A timestamp reads the same in the answer to a write and in every later read of what was saved.</summary>
public class TimestampPrecisionTests : ApiTest
{
    // 100 ns ticks below the microsecond, which PostgreSQL does not keep.
    private static readonly DateTimeOffset AtSubMicrosecond = new DateTimeOffset(2024, 6, 15, 10, 0, 0, TimeSpan.Zero).AddTicks(1_234_567);

    private static Dictionary<string, string?> Timestamps(JsonNode? json) =>
        json!.AsObject().Where(p => p.Key.EndsWith("At", StringComparison.Ordinal))
            .ToDictionary(p => p.Key, p => (string?)p.Value);

    [Test]
    public async Task AWriteAnswerShowsTheTimestampsALaterReadShows()
    {
        TestRun.Factory.Clock.Now = AtSubMicrosecond;
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);

        var (created, draft) = await publisher.SendJson(HttpMethod.Post, "/api/articles", new
        {
            title = "Tidsstämplar", lead = "Ingress.", body = new[] { new { type = "Paragraph", text = "Text." } },
        });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), draft?.ToJsonString());
        var id = (string?)draft!["id"];
        var (published, live) = await publisher.SendJson(HttpMethod.Post, $"/api/articles/{id}/publish");
        Assert.That(published.StatusCode, Is.EqualTo(HttpStatusCode.OK), live?.ToJsonString());

        var written = Timestamps(live);
        Assert.That(written, Contains.Key("publishedAt").And.ContainKey("updatedAt"));
        Assert.That(written["updatedAt"], Is.EqualTo("2024-06-15T10:00:00.123456Z"), "to the microsecond, as stored");
        Assert.That(Timestamps(draft)["updatedAt"], Is.EqualTo(written["updatedAt"]));
        Assert.That(Timestamps(await GetJson($"/api/articles/{id}")), Is.EqualTo(written));
        var odata = await GetJson($"/odata/Articles({id})?$select=publishedAt,updatedAt");
        Assert.That(Timestamps(odata), Is.EqualTo(written));

        var (contactMade, contact) = await publisher.SendJson(HttpMethod.Post, "/api/contacts", new { name = "Anna Andersson" });
        Assert.That(contactMade.StatusCode, Is.EqualTo(HttpStatusCode.Created), contact?.ToJsonString());
        var (_, contactRead) = await publisher.SendJson(HttpMethod.Get, $"/api/contacts/{(string?)contact!["id"]}");
        Assert.That(Timestamps(contactRead), Is.EqualTo(Timestamps(contact)));
    }
}
