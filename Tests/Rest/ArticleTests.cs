using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Rest;

public class ArticleTests : ApiTest
{
    [Test]
    public async Task ListIsNewestFirstWithTotalCountAndNextPageLink()
    {
        await SaveAsync(Article("Äldst", minutesAfterBase: 1), Article("Mitten", minutesAfterBase: 2), Article("Nyast", minutesAfterBase: 3));

        var page1 = await GetJson("/api/articles?pageSize=2");
        Assert.That(Strings(page1["items"], "title"), Is.EqualTo(new[] { "Nyast", "Mitten" }));
        Assert.That((int?)page1["totalCount"], Is.EqualTo(3));
        Assert.That((string?)page1["nextPage"], Does.StartWith("/api/articles?pageSize=2&cursor="));

        var page2 = await GetJson((string)page1["nextPage"]!);
        Assert.That(Strings(page2["items"], "title"), Is.EqualTo(new[] { "Äldst" }));
        Assert.That(page2["nextPage"], Is.Null);
    }

    [Test]
    public async Task ListFiltersByTagAndKeepsTheTagInTheNextLink()
    {
        await SaveAsync(Article("Trafik 1", minutesAfterBase: 1, tags: ["trafik"]), Article("Skola", minutesAfterBase: 2, tags: ["skola"]),
            Article("Trafik 2", minutesAfterBase: 3, tags: ["trafik", "trygghet"]));

        var list = await GetJson("/api/articles?tag=trafik&pageSize=1");
        Assert.That(Strings(list["items"], "title"), Is.EqualTo(new[] { "Trafik 2" }));
        Assert.That((int?)list["totalCount"], Is.EqualTo(2));
        Assert.That((string?)list["nextPage"], Does.Contain("tag=trafik").And.Contain("cursor="));
    }

    [Test]
    public async Task ListItemsCarryTheHeroPhoto()
    {
        var photo = Photo("Två personer skriver under ett avtal.");
        var article = Article("Med bild");
        article.HeroPhotoId = photo.Id;
        await SaveAsync(photo, article);

        var list = await GetJson("/api/articles");
        var hero = list["items"]![0]!["heroPhoto"]!;
        Assert.That((string?)hero["altText"], Is.EqualTo("Två personer skriver under ett avtal."));
        Assert.That((string?)hero["url"], Is.EqualTo($"/api/photos/{photo.Id}/file"));
    }

    [Test]
    public async Task ArticleBySlugEmbedsHeroPhotoContactsPledgeAndBody()
    {
        var photo = Photo();
        var contact = Contact("Gabriella Leandersson");
        contact.Phone = "+46456816220";
        var pledge = Pledge(2024);
        var article = Article("Nytt medborgarlöfte för 2024", tags: ["medborgarlöfte"]);
        article.HeroPhotoId = photo.Id;
        article.PledgeId = pledge.Id;
        article.Contacts = [contact];
        article.Body = [Block.Heading("De tre T:na"), Block.Quote("Trygghet är viktigt.", "Gabriella Leandersson"), Block.List(["Trafik", "Trygghet"])];
        await SaveAsync(photo, pledge, contact, article);

        var json = await GetJson("/api/articles/by-slug/nytt-medborgarlofte-for-2024");

        Assert.That((string?)json["id"], Is.EqualTo(article.Id.ToString()));
        Assert.That((string?)json["heroPhoto"]!["credit"], Is.EqualTo("Foto: Sölvesborgs kommun"));
        Assert.That((string?)json["contacts"]![0]!["phoneDisplay"], Is.EqualTo("0456-81 62 20"));
        Assert.That((string?)json["contacts"]![0]!["phone"], Is.EqualTo("+46456816220"));
        Assert.That((int?)json["pledge"]!["year"], Is.EqualTo(2024));
        Assert.That((string?)json["body"]![1]!["type"], Is.EqualTo("Quote"));
        Assert.That((string?)json["body"]![1]!["attribution"], Is.EqualTo("Gabriella Leandersson"));
        Assert.That(json["body"]![0]!.AsObject().ContainsKey("url"), Is.False, "a heading carries only its own fields");
        Assert.That((string?)json["bodyHtml"], Does.Contain("<h2>De tre T:na</h2>")
            .And.Contain("<blockquote><p>Trygghet är viktigt.</p><footer>Gabriella Leandersson</footer></blockquote>")
            .And.Contain("<ul><li>Trafik</li><li>Trygghet</li></ul>"));
        Assert.That((string?)json["publishedAt"], Is.EqualTo("2024-03-01T08:00:00Z"));
    }

    [Test]
    public async Task ArticleByIdIsTheSameArticle()
    {
        var article = Article("Vägarbete på Storgatan");
        await SaveAsync(article);

        var json = await GetJson($"/api/articles/{article.Id}");
        Assert.That((string?)json["slug"], Is.EqualTo("vagarbete-pa-storgatan"));
    }

    [Test]
    public async Task BodyHtmlEscapesEditorTextAndDropsUnsafeLinks()
    {
        var article = Article("Skript");
        article.Body =
        [
            Block.Paragraph("<script>alert('x')</script> & <b>fet</b>"),
            Block.Link("Klicka", "javascript:alert(1)"),
            Block.Link("Polisen \"officiellt\"", "https://polisen.se/?a=1&b=2"),
        ];
        await SaveAsync(article);

        var html = (string)(await GetJson("/api/articles/by-slug/skript"))["bodyHtml"]!;
        Assert.That(html, Does.Not.Contain("<script>").And.Not.Contain("<b>").And.Not.Contain("javascript:"));
        Assert.That(html, Does.Contain("&lt;script&gt;").And.Contain("&amp;"));
        Assert.That(html, Does.Contain("<a href=\"https://polisen.se/?a=1&amp;b=2\">Polisen &quot;officiellt&quot;</a>"));
    }

    [Test]
    public async Task ImageBlockRendersAFigureWithAltTextCaptionAndCredit()
    {
        var photo = Photo("En trygghetsvärd pratar med ungdomar.");
        var article = Article("Trygghetsvärdar");
        article.Body = [Block.Paragraph("Text."), Block.Image(photo.Id, "Trygghetsvärdar i centrum.")];
        await SaveAsync(photo, article);

        var json = await GetJson("/api/articles/by-slug/trygghetsvardar");
        Assert.That((string?)json["bodyHtml"], Does.Contain($"<img src=\"/api/photos/{photo.Id}/renditions/").And.Contain(" alt=\"En trygghetsvärd pratar med ungdomar.\"")
            .And.Contain("<figcaption>Trygghetsvärdar i centrum. <small>Foto: Sölvesborgs kommun</small></figcaption>"));
        Assert.That((string?)json["bodyPhotos"]![0]!["id"], Is.EqualTo(photo.Id.ToString()));
    }

    [Test]
    public async Task UnknownSlugAndIdAre404Problems()
    {
        Assert.That(await GetProblem("/api/articles/by-slug/finns-inte", System.Net.HttpStatusCode.NotFound), Does.Contain("finns-inte"));
        var id = Guid.NewGuid();
        Assert.That(await GetProblem($"/api/articles/{id}", System.Net.HttpStatusCode.NotFound), Does.Contain(id.ToString()));
    }
}
