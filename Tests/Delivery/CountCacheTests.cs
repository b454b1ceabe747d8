using ContentApi.Domain;
using ContentApi.Tests.Support;
using Npgsql;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Delivery;

/// <summary>
/// List totals and OData $count are counted once and shared until content changes (Api/Caching/CountCache). Anonymous
/// totals of all articles or of one tag come from the kept counts instead (PublishedCountTests): these tests count
/// articles with two tags.
/// </summary>
public class CountCacheTests : ApiTest
{
    private async Task<(int, int)> TotalsAsync()
    {
        // The store of answers emptied each time: the endpoints run.
        ForgetStoredAnswers();
        var rest = await GetJson("/api/articles?tag=trafik&tag=skola");
        var odata = await GetJson("/odata/Articles?$filter=tags/any(t:t eq 'trafik') and tags/any(t:t eq 'skola')&$count=true&$select=title");
        return ((int)rest["totalCount"]!, (int)odata["@odata.count"]!);
    }

    /// <summary>
    /// A change made in the database directly; unless <paramref name="reported"/>, with triggers off (as a replica
    /// applies changes), so that the change log has no entry and no instance hears of it.
    /// </summary>
    private static async Task BehindTheApisBackAsync(string sql, bool reported = false)
    {
        await using var connection = new NpgsqlConnection(TestRun.ConnectionString);
        await connection.OpenAsync();
        if (!reported)
            await new NpgsqlCommand("SET session_replication_role = replica", connection).ExecuteNonQueryAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        Assert.That(await command.ExecuteNonQueryAsync(), Is.EqualTo(1));
        if (reported)
            await DeliverySupport.ChangesHeardAsync();
    }

    [Test]
    public async Task ACountIsReusedUntilItExpiresOrAWriteIsCommittedAnywhere()
    {
        await SaveAsync(Article("Första", tags: ["trafik", "skola"]), Article("Andra", minutesAfterBase: 1, tags: ["trafik", "skola"]));
        Assert.That(await TotalsAsync(), Is.EqualTo((2, 2)));

        // A change nobody reports: the counts do not see it (the page itself does)...
        await BehindTheApisBackAsync("UPDATE articles SET tags = '{}' WHERE slug = 'andra'");
        Assert.That(await TotalsAsync(), Is.EqualTo((2, 2)));
        Assert.That((await GetJson("/api/articles?tag=trafik&tag=skola", forget: true))["items"]!.AsArray(), Has.Count.EqualTo(1));
        // ...until the counts expire.
        TestRun.Factory.Clock.Now += TimeSpan.FromSeconds(61);
        Assert.That(await TotalsAsync(), Is.EqualTo((1, 1)));

        // A change the database reports (committed by another instance, or by hand) forgets every count.
        await BehindTheApisBackAsync("UPDATE articles SET tags = '{}' WHERE slug = 'forsta'", reported: true);
        Assert.That(await TotalsAsync(), Is.EqualTo((0, 0)));

        // Any write of this server forgets every count at once, one that changes nothing anonymous readers see too.
        await BehindTheApisBackAsync("UPDATE articles SET tags = '{trafik,skola}' WHERE slug = 'andra'");
        Assert.That(await TotalsAsync(), Is.EqualTo((0, 0)));
        await SaveAsync(Contact("Någon annan"));
        Assert.That(await TotalsAsync(), Is.EqualTo((1, 1)));
    }

    [Test]
    public async Task CountsOfDifferentFiltersAndPreviewsAreKeptApart()
    {
        await SaveAsync(Article("Trafiknytt", tags: "trafik"), Article("Skolnytt", minutesAfterBase: 1, tags: "skola"),
            Article("Utkast om trafik", ContentStatus.Draft, minutesAfterBase: 2, "trafik"));
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        Assert.That((int)(await GetJson("/api/articles?tag=trafik"))["totalCount"]!, Is.EqualTo(1));
        Assert.That((int)(await GetJson("/api/articles?tag=skola"))["totalCount"]!, Is.EqualTo(1));
        Assert.That((int)(await GetJson("/api/articles"))["totalCount"]!, Is.EqualTo(2));
        var preview = await editor.GetStringAsync("/api/articles?tag=trafik");
        Assert.That(preview, Does.Contain("\"totalCount\":2"));
        Assert.That((int)(await GetJson("/api/articles?tag=trafik", forget: true))["totalCount"]!, Is.EqualTo(1));
    }

    [Test]
    public async Task ListsOfValuesThatReadAlikeAreCountedApart()
    {
        await SaveAsync(Article("Nyhet"), Article("Annan", minutesAfterBase: 1));
        async Task<int> Count(string list) =>
            (int)(await GetJson($"/odata/Articles?$filter=title in ({list})&$count=true&$select=title"))["@odata.count"]!;
        Assert.That(await Count("'Nyhet','Annan'"), Is.EqualTo(2));
        // The same characters in one value: nothing has that title.
        Assert.That(await Count("'Nyhet%1FAnnan'"), Is.EqualTo(0));
        Assert.That(await Count("'Nyhet;Annan'"), Is.EqualTo(0));
        Assert.That(await Count("'Nyhet','\u2205'"), Is.EqualTo(1));
    }
}
