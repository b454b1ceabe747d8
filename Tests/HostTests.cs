using System.Net;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using ContentApi.Infrastructure.Seeding;
using ContentApi.Tests.Support;
using Microsoft.EntityFrameworkCore;
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

    [Test]
    public async Task LoadTestGeneratorCopiesArticlesInSqlBeyondThoseItSaves()
    {
        await using var db = TestRun.Factory.CreateDbContext();
        var before = await db.Articles.IgnoreQueryFilters().Select(a => a.Id).ToListAsync();
        var logBefore = await db.ChangeLogEntries.CountAsync();
        var publicBefore = (int)(await GetJson("/api/articles?pageSize=1"))["totalCount"]!;

        // 40 saved through EF Core, 210 copied from them in SQL.
        await LoadTestContent.GenerateAsync(db, TestRun.Factory.Services.GetRequiredService<PhotoStorage>(), 250,
            TimeProvider.System, saveAtMost: 40);

        var added = await db.Articles.IgnoreQueryFilters().Where(a => !before.Contains(a.Id))
            .Select(a => new { a.Id, a.Slug, a.Title, a.Status, a.PublishedAt, a.HeroPhotoId, a.Tags, Contacts = a.Contacts.Count })
            .ToListAsync();
        Assert.That(added, Has.Count.EqualTo(250));
        Assert.That(added.Select(a => a.Slug).Distinct().Count(), Is.EqualTo(250), "every slug is new");
        // Article i (0..249) is a draft when i % 20 == 19, else archived when i % 50 == 49: 12 drafts, 3 archived.
        Assert.That(added.Count(a => a.Status == ContentStatus.Draft), Is.EqualTo(12));
        Assert.That(added.Count(a => a.Status == ContentStatus.Archived), Is.EqualTo(3));
        Assert.That(added.Where(a => a.Status != ContentStatus.Draft).All(a => a.PublishedAt is not null), Is.True);
        Assert.That(added.All(a => a.HeroPhotoId is not null && a.Tags.Count > 0 && a.Contacts == 1 && a.Title.Length > 0), Is.True,
            "copies carry their original's photo, tags, contact and text");

        // Copies are content like any other: the public list counts them (published counts) and the change log has them.
        var list = await GetJson("/api/articles?pageSize=1");
        Assert.That((int)list["totalCount"]!, Is.EqualTo(publicBefore + 235));
        var copy = added.Last(a => a.Status == ContentStatus.Published);
        var detail = await GetJson($"/api/articles/by-slug/{copy.Slug}");
        Assert.That((string?)detail["title"], Is.EqualTo(copy.Title));
        var logged = await db.ChangeLogEntries.Where(e => e.Kind == ContentKind.Article).Select(e => e.ContentId).ToListAsync();
        Assert.That(added.Where(a => a.Status == ContentStatus.Published).Select(a => a.Id), Is.SubsetOf(logged));
        Assert.That(await db.ChangeLogEntries.CountAsync(), Is.GreaterThanOrEqualTo(logBefore + 235));
    }
}
