using System.Net;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Rest;

public class PledgeTests : ApiTest
{
    [Test]
    public async Task CurrentPledgeIsTheOneInForceToday()
    {
        await SaveAsync(Pledge(2023), Pledge(2024), Pledge(2025));
        TestRun.Factory.Clock.Now = new DateTimeOffset(2024, 11, 3, 12, 0, 0, TimeSpan.Zero);

        var pledge = await GetJson("/api/pledges/current");
        Assert.That((int?)pledge["year"], Is.EqualTo(2024));
    }

    [Test]
    public async Task CurrentPledgeFallsBackToTheMostRecentWhenNoneIsInForce()
    {
        await SaveAsync(Pledge(2022), Pledge(2023));
        TestRun.Factory.Clock.Now = new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.That((int?)(await GetJson("/api/pledges/current"))["year"], Is.EqualTo(2023));
    }

    [Test]
    public async Task PledgeByYearHasAreasCommitmentsProgressSignatoriesPhotoContactAndArticles()
    {
        var photo = Photo();
        var contact = Contact("Gabriella Leandersson");
        var pledge = Pledge(2024);
        pledge.PhotoId = photo.Id;
        pledge.ContactId = contact.Id;
        var article = Article("Nytt medborgarlöfte för 2024");
        article.PledgeId = pledge.Id;
        await SaveAsync(photo, contact, pledge, article);

        var json = await GetJson("/api/pledges/by-year/2024");

        Assert.That((string?)json["title"], Is.EqualTo("Medborgarlöfte 2024"));
        Assert.That((string?)json["validFrom"], Is.EqualTo("2024-01-01"));
        Assert.That((string?)json["signatories"]![0]!["role"], Is.EqualTo("kommunstyrelsens ordförande"));
        var area = json["priorityAreas"]![0]!;
        Assert.That((string?)area["title"], Is.EqualTo("Trafik"));
        Assert.That((string?)area["commitments"]![1]!["status"], Is.EqualTo("InProgress"));
        Assert.That((int?)area["progress"]!["done"], Is.EqualTo(1));
        Assert.That((int?)json["progress"]!["total"], Is.EqualTo(2));
        Assert.That((string?)json["ongoingEfforts"]![0]!["title"], Is.EqualTo("Trygghetsvärdar"));
        Assert.That((string?)json["photo"]!["id"], Is.EqualTo(photo.Id.ToString()));
        Assert.That((string?)json["contact"]!["name"], Is.EqualTo("Gabriella Leandersson"));
        Assert.That((string?)json["articles"]![0]!["slug"], Is.EqualTo("nytt-medborgarlofte-for-2024"));
    }

    [Test]
    public async Task YearsAreListedNewestFirstWithTheCurrentOneMarked()
    {
        await SaveAsync(Pledge(2023), Pledge(2024));
        TestRun.Factory.Clock.Now = new DateTimeOffset(2024, 2, 1, 0, 0, 0, TimeSpan.Zero);

        var years = (await GetJson("/api/pledges")).AsArray();
        Assert.That(years.Select(y => (int?)y!["year"]), Is.EqualTo(new int?[] { 2024, 2023 }));
        Assert.That(years.Select(y => (bool?)y!["current"]), Is.EqualTo(new bool?[] { true, false }));
    }

    [Test]
    public async Task UnknownYearAndNoPledgeAtAllAre404Problems()
    {
        Assert.That(await GetProblem("/api/pledges/current", HttpStatusCode.NotFound), Does.Contain("No pledge"));
        await SaveAsync(Pledge(2024));
        Assert.That(await GetProblem("/api/pledges/by-year/1999", HttpStatusCode.NotFound), Does.Contain("1999"));
    }
}
