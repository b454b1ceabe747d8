using System.Net;
using ContentApi.Domain;
using ContentApi.Tests.Support;

namespace ContentApi.Tests.Editorial;

/// <summary>A change without If-Match is refused with a 428 problem that says what kind of problem it is.</summary>
public class PreconditionRequiredTests : ApiTest
{
    [Test]
    public async Task RestoreAndPatchWithoutIfMatchAre428ProblemsWithAType()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var (_, draft) = await editor.SendJson(HttpMethod.Post, "/api/articles", new { title = "Förhandsvillkor" });
        var id = (string?)draft!["id"];

        foreach (var (method, url, body) in new (HttpMethod, string, object?)[]
        {
            (HttpMethod.Post, $"/api/articles/{id}/revisions/1/restore", null),
            (HttpMethod.Patch, $"/api/articles/{id}", new { title = "Nytt" }),
        })
        {
            var (response, problem) = await editor.SendJson(method, url, body, mediaType: "application/merge-patch+json");
            Assert.That(response.StatusCode, Is.EqualTo((HttpStatusCode)428), $"{method} {url}: {problem?.ToJsonString()}");
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That((string?)problem!["type"], Is.EqualTo("https://www.rfc-editor.org/rfc/rfc6585#section-3"));
            Assert.That((string?)problem["detail"], Does.Contain("If-Match"));
        }
    }
}
