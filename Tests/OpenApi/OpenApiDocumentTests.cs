using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.OpenApi;

/// <summary>The OpenAPI document is the contract client generators read: it is committed, and it is kept generator-clean.</summary>
public partial class OpenApiDocumentTests : ApiTest
{
    /// <summary>
    /// The committed document is the contract. After an intended API change, refresh it (and the generated client) with
    /// <c>CONTENTAPI_UPDATE_OPENAPI=1 scripts/test</c> and commit openapi/contentapi.json and Tests/ApiClient.
    /// </summary>
    [Test]
    public async Task CommittedOpenApiDocumentMatchesTheApi()
    {
        // The document as the API builds it. Served, it names no server, so that Swagger UI calls the host it came from.
        var actual = await OpenApiTools.BuiltDocumentAsync();
        var served = await ServedDocumentAsync();
        Assert.That(served["servers"], Is.Null);
        var withoutServers = actual.DeepClone();
        withoutServers.AsObject().Remove("servers");
        Assert.That(JsonNode.DeepEquals(served, withoutServers), Is.True, "the served document is the built one without servers");
        Assert.That((string?)actual["servers"]![0]!["url"], Is.EqualTo(Api.Hosting.OpenApiSetup.DevelopmentServer));
        if (OpenApiTools.Updating)
            await OpenApiTools.WriteDocumentAsync(actual);

        Assert.That(File.Exists(OpenApiTools.DocumentPath), Is.True, $"{OpenApiTools.DocumentPath} is missing; run CONTENTAPI_UPDATE_OPENAPI=1 scripts/test");
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(OpenApiTools.DocumentPath))!;
        Assert.That(JsonNode.DeepEquals(actual, committed), Is.True,
            "The API's OpenAPI document differs from openapi/contentapi.json. If the change is intended, run "
            + "CONTENTAPI_UPDATE_OPENAPI=1 scripts/test and commit the file.");
        var paths = actual["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.That(paths, Is.SupersetOf(new[]
        {
            "/api/articles", "/api/articles/{id}", "/api/articles/by-slug/{slug}", "/api/pledges", "/api/pledges/current",
            "/api/pledges/by-year/{year}", "/api/photos/{id}", "/api/photos/{id}/file", "/api/contacts/{id}",
            "/odata", "/odata/$metadata", "/odata/Articles", "/odata/Articles({key})", "/odata/Pledges", "/odata/Photos", "/odata/Contacts",
            "/api/articles/{id}/publish", "/api/articles/{id}/revisions", "/api/admin/api-keys", "/api/admin/audit",
        }));
        Assert.That(paths, Does.Not.Contain("/api/pledges/{year}"), "the old address only redirects");
        Assert.That(actual["components"]!["securitySchemes"]!.AsObject().Select(s => s.Key), Is.EquivalentTo(new[] { "ApiKey", "Bearer" }));
        // Every write route says how to authenticate and what a refusal looks like.
        foreach (var (route, item) in actual["paths"]!.AsObject())
            foreach (var (method, operation) in item!.AsObject().Where(o => o.Key is "post" or "put" or "patch" or "delete"))
            {
                Assert.That(operation!["security"], Is.Not.Null, $"{method} {route} has no security");
                Assert.That(operation["responses"]!.AsObject().Select(r => r.Key), Is.SupersetOf(new[] { "401", "403" }), $"{method} {route}");
            }
    }

    /// <summary>
    /// Generators name methods after operation ids: each operation has one, lowerCamel and URL-safe, no two alike, and a
    /// description. The ids are part of the contract: they are pinned here so that a renamed handler cannot change one.
    /// </summary>
    [Test]
    public async Task EveryOperationHasAUniqueLowerCamelOperationIdAndADescription()
    {
        var operations = Operations(await ServedDocumentAsync()).ToList();
        foreach (var (method, path, operation) in operations)
        {
            Assert.That((string?)operation["operationId"], Does.Match("^[a-z][A-Za-z0-9]*$"), $"{method} {path}");
            Assert.That((string?)operation["description"], Is.Not.Null.And.Not.Empty, $"{method} {path} has no description");
        }
        var ids = operations.Select(o => (string?)o.Operation["operationId"]).ToList();
        Assert.That(ids, Is.Unique);
        Assert.That(ids, Is.SupersetOf(new[]
        {
            "listArticles", "getArticle", "getArticleBySlug", "createArticle", "publishArticle", "listArticleRevisions",
            "createArticleSchedule", "listPledgeYears", "getCurrentPledge", "getPledgeByYear", "createPledge", "getPhoto",
            "getPhotoRendition", "uploadPhoto", "getContact", "listContacts", "listApiKeys", "sweepPhotoFiles", "eraseContact",
            "odataServiceDocument", "odataMetadata", "odataListArticles", "odataGetArticle",
        }));
    }

    /// <summary>Component names become class names: a C# anonymous type (<c>&lt;&gt;f__AnonymousType0</c>) must never leak.</summary>
    [Test]
    public async Task SchemaNamesAreValidComponentKeys()
    {
        var document = await ServedDocumentAsync();
        Assert.That(document["components"]!["schemas"]!.AsObject().Select(s => s.Key), Has.All.Match("^[a-zA-Z0-9.\\-_]+$"));
        Assert.That(document["info"]!["contact"]!["url"]?.GetValue<string>(), Does.StartWith("https://"));
    }

    /// <summary>The year's pledge moved to /api/pledges/by-year/{year}; links to the old address keep working.</summary>
    [Test]
    public async Task TheOldPledgeYearAddressRedirectsPermanently()
    {
        await SaveAsync(Pledge(2024));
        using var noRedirects = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = Client.BaseAddress };

        using var old = await noRedirects.GetAsync("/api/pledges/2024?x=1");

        Assert.That(old.StatusCode, Is.EqualTo(HttpStatusCode.MovedPermanently));
        Assert.That(old.Headers.Location?.OriginalString, Is.EqualTo("/api/pledges/by-year/2024?x=1"));
        Assert.That((int?)(await GetJson("/api/pledges/2024"))["year"], Is.EqualTo(2024), "a client that follows redirects gets the pledge");
    }

    private static async Task<JsonNode> ServedDocumentAsync() => JsonNode.Parse(await Client.GetStringAsync("/swagger/v1/swagger.json"))!;

    private static IEnumerable<(string Method, string Path, JsonNode Operation)> Operations(JsonNode document) =>
        from path in document["paths"]!.AsObject()
        from operation in path.Value!.AsObject()
        where operation.Key is "get" or "put" or "post" or "delete" or "patch" or "head" or "options"
        select (operation.Key, path.Key, operation.Value!);
}
