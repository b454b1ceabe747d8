using System.Text.Json.Nodes;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.OData;

/// <summary>Statuses compare and sort by their place in the life cycle (Draft, Published, Archived), as OData's enum members do.</summary>
public class StatusOrderTests : ApiTest
{
    [Test]
    public async Task StatusesCompareAndSortInLifeCycleOrder()
    {
        await SaveAsync(Article("Arkiverad", ContentStatus.Archived), Article("Utkast", ContentStatus.Draft, 1),
            Article("Publicerad", ContentStatus.Published, 2), Pledge(2023, ContentStatus.Archived), Pledge(2024, ContentStatus.Draft));
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        async Task<List<string?>> Titles(string url) => Strings((await GetJson(editor, url))["value"], "title");

        Assert.That(await Titles("/odata/Articles?$orderby=status&$select=title"), Is.EqualTo(new[] { "Utkast", "Publicerad", "Arkiverad" }));
        Assert.That(await Titles("/odata/Articles?$orderby=status desc&$select=title"), Is.EqualTo(new[] { "Arkiverad", "Publicerad", "Utkast" }));
        Assert.That(await Titles("/odata/Articles?$filter=status gt 'Draft'&$orderby=status&$select=title"), Is.EqualTo(new[] { "Publicerad", "Arkiverad" }));
        Assert.That(await Titles("/odata/Articles?$filter=status lt 'Archived'&$orderby=status&$select=title"), Is.EqualTo(new[] { "Utkast", "Publicerad" }));
        Assert.That(await Titles("/odata/Pledges?$orderby=status&$select=title"), Is.EqualTo(new[] { "Medborgarlöfte 2024", "Medborgarlöfte 2023" }));
        // REST lists filter by status too.
        Assert.That(Strings((await GetJson(editor, "/api/articles?status=Archived"))["items"], "title"), Is.EqualTo(new[] { "Arkiverad" }));
    }
}
