using System.Net;
using System.Text.Json.Nodes;
using ContentApi.Infrastructure;
using ContentApi.Infrastructure.Seeding;
using ContentApi.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace ContentApi.Tests;

public class HostTests : ApiTest
{
    [Test]
    public async Task LiveAndReadyAreHealthy()
    {
        foreach (var url in new[] { "/health/live", "/health/ready" })
        {
            using var response = await Client.GetAsync(url);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), url);
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("Healthy"), url);
        }
    }

    [Test]
    public async Task SwaggerUiIsServed()
    {
        using var response = await Client.GetAsync("/swagger/index.html");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("swagger-ui"));
    }

    /// <summary>
    /// The committed document is the contract. After an intended API change, refresh it with
    /// <c>CONTENTAPI_UPDATE_OPENAPI=1 scripts/test</c> and commit openapi/contentapi.json.
    /// </summary>
    [Test]
    public async Task CommittedOpenApiDocumentMatchesTheApi()
    {
        var actual = JsonNode.Parse(await Client.GetStringAsync("/swagger/v1/swagger.json"))!;
        var path = Path.Combine(RepositoryRoot(), "openapi", "contentapi.json");
        var pretty = actual.ToJsonString(new System.Text.Json.JsonSerializerOptions
        {
            WriteIndented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }) + "\n";
        if (Environment.GetEnvironmentVariable("CONTENTAPI_UPDATE_OPENAPI") == "1")
            await File.WriteAllTextAsync(path, pretty);

        Assert.That(File.Exists(path), Is.True, $"{path} is missing; run CONTENTAPI_UPDATE_OPENAPI=1 scripts/test");
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        Assert.That(JsonNode.DeepEquals(actual, committed), Is.True,
            "The API's OpenAPI document differs from openapi/contentapi.json. If the change is intended, run "
            + "CONTENTAPI_UPDATE_OPENAPI=1 scripts/test and commit the file.");
        var paths = actual["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.That(paths, Is.SupersetOf(new[]
        {
            "/api/articles", "/api/articles/{id}", "/api/articles/by-slug/{slug}", "/api/pledges", "/api/pledges/current",
            "/api/pledges/{year}", "/api/photos/{id}", "/api/photos/{id}/file", "/api/contacts/{id}",
            "/odata", "/odata/$metadata", "/odata/Articles", "/odata/Articles({key})", "/odata/Pledges", "/odata/Photos", "/odata/Contacts",
            "/api/articles/{id}/publish", "/api/articles/{id}/revisions", "/api/admin/api-keys", "/api/admin/audit",
        }));
        Assert.That(actual["components"]!["securitySchemes"]!.AsObject().Select(s => s.Key), Is.EquivalentTo(new[] { "ApiKey", "Bearer" }));
        // Every write route says how to authenticate and what a refusal looks like.
        foreach (var (route, item) in actual["paths"]!.AsObject())
            foreach (var (method, operation) in item!.AsObject().Where(o => o.Key is "post" or "put" or "patch" or "delete"))
            {
                Assert.That(operation!["security"], Is.Not.Null, $"{method} {route} has no security");
                Assert.That(operation["responses"]!.AsObject().Select(r => r.Key), Is.SupersetOf(new[] { "401", "403" }), $"{method} {route}");
            }
    }

    [Test]
    public async Task DemoContentIsSeededOnceAndServed()
    {
        await using (var db = TestRun.Factory.CreateDbContext())
        {
            var storage = TestRun.Factory.Services.GetRequiredService<PhotoStorage>();
            Assert.That(await DemoContent.SeedAsync(db, storage), Is.True);
            Assert.That(await DemoContent.SeedAsync(db, storage), Is.False, "seeding a database with content does nothing");
        }

        var article = await GetJson($"/api/articles/by-slug/{DemoContent.ArticleSlug}");
        Assert.That((string?)article["title"], Is.EqualTo("Nytt medborgarlöfte för 2024"));
        Assert.That((string?)article["heroPhoto"]!["altText"], Does.StartWith("En man och en kvinna tittar in i kameran och ler."));
        Assert.That((string?)article["heroPhoto"]!["credit"], Is.EqualTo("Foto: Sölvesborgs kommun"));
        Assert.That((string?)article["contacts"]![0]!["phoneDisplay"], Is.EqualTo("0456-81 62 20"));
        var pledge = await GetJson("/api/pledges/2024");
        Assert.That(Strings(pledge["priorityAreas"], "title"), Is.EqualTo(new[] { "Trafik", "Tidig upptäckt", "Trygghet" }));
        Assert.That(Strings(pledge["signatories"], "name"), Is.EqualTo(new[] { "Birgit Birgersson-Brorsson", "Ola Jarevik" }));
        using var file = await Client.GetAsync((string)article["heroPhoto"]!["url"]!);
        Assert.That(file.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task LoadTestGeneratorAddsRealisticArticles()
    {
        await using (var db = TestRun.Factory.CreateDbContext())
            await LoadTestContent.GenerateAsync(db, TestRun.Factory.Services.GetRequiredService<PhotoStorage>(), 60, TimeProvider.System);
        // A second run adds to the first (its slugs continue the numbering).
        await using (var db = TestRun.Factory.CreateDbContext())
            await LoadTestContent.GenerateAsync(db, TestRun.Factory.Services.GetRequiredService<PhotoStorage>(), 60, TimeProvider.System);

        var list = await GetJson("/api/articles?pageSize=100");
        Assert.That((int?)list["totalCount"], Is.InRange(100, 118), "a few generated articles are drafts or archived");
        var first = list["items"]![0]!;
        Assert.That((string?)first["heroPhoto"]!["altText"], Is.Not.Empty);
        var detail = await GetJson($"/api/articles/{first["id"]}");
        Assert.That(detail["contacts"]!.AsArray(), Has.Count.EqualTo(1));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ContentApi.sln")))
                return dir.FullName;
        throw new InvalidOperationException("ContentApi.sln not found above " + AppContext.BaseDirectory);
    }
}
