using System.Net;
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
        var pledge = await GetJson("/api/pledges/by-year/2024");
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
}
