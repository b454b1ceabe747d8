using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using ContentApi.Domain;
using ContentApi.Api.Changes;
using ContentApi.Tests.Support;
using Microsoft.EntityFrameworkCore;
using static ContentApi.Tests.Support.ContentBuilder;
using static ContentApi.Tests.Support.DeliverySupport;

namespace ContentApi.Tests.Rest;

/// <summary>An Image block in bodyHtml: a responsive picture from the same renditions as heroPhoto.</summary>
public class BodyImageTests : ApiTest
{
    private static Photo WidePhoto(string altText = "Utsikt över hamnen i Sölvesborg.")
    {
        var photo = Photo(altText);
        photo.Width = 2000;
        photo.Height = 1500;
        return photo;
    }

    private static Article WithImage(Photo photo, string title = "Hamnen")
    {
        var article = Article(title);
        article.HeroPhotoId = photo.Id;
        article.Body = [Block.Paragraph("Text."), Block.Image(photo.Id, "Hamnen i maj.")];
        article.RefreshPhotoIds();
        return article;
    }

    private static IElement Figure(string? bodyHtml) =>
        new HtmlParser().ParseDocument(bodyHtml ?? "").QuerySelector("figure") ?? throw new AssertionException($"no figure in {bodyHtml}");

    [Test]
    public async Task ImageBlockIsAPictureWithTheHeroPhotosRenditions()
    {
        var photo = WidePhoto();
        await SaveAsync(photo, WithImage(photo));

        var json = await GetJson("/api/articles/by-slug/hamnen");
        var hero = json["heroPhoto"]!;
        var figure = Figure((string?)json["bodyHtml"]);
        var source = figure.QuerySelector("picture > source")!;
        var img = figure.QuerySelector("picture > img")!;

        Assert.That(source.GetAttribute("type"), Is.EqualTo("image/webp"));
        Assert.That(source.GetAttribute("srcset"), Is.EqualTo((string?)hero["srcsetWebp"]));
        Assert.That(img.GetAttribute("srcset"), Is.EqualTo((string?)hero["srcsetJpeg"]));
        Assert.That(img.GetAttribute("srcset"), Does.Contain(" 160w, ").And.Contain(" 1920w"));
        Assert.That(img.GetAttribute("src"), Is.EqualTo(hero["renditions"]!.AsArray().Select(r => (string?)r!["url"]).Single(u => u!.EndsWith("/960.jpg"))));
        Assert.That(source.GetAttribute("sizes"), Is.EqualTo("(min-width: 768px) 768px, 100vw"));
        Assert.That(img.GetAttribute("sizes"), Is.EqualTo(source.GetAttribute("sizes")));
        Assert.That((img.GetAttribute("width"), img.GetAttribute("height")), Is.EqualTo(("960", "720")), "the fallback's size, in the photo's shape");
        Assert.That(img.GetAttribute("alt"), Is.EqualTo("Utsikt över hamnen i Sölvesborg."));
        Assert.That((img.GetAttribute("loading"), img.GetAttribute("decoding")), Is.EqualTo(("lazy", "async")));
        Assert.That(figure.QuerySelector("figcaption")!.TextContent, Is.EqualTo("Hamnen i maj. Foto: Sölvesborgs kommun"));
        Assert.That(figure.QuerySelector("figcaption > small")!.TextContent, Is.EqualTo("Foto: Sölvesborgs kommun"));
        Assert.That((string?)json["bodyHtml"], Does.Not.Contain("/file\""), "never the full original");
    }

    [Test]
    public async Task DecorativePhotoHasAnEmptyAltAndANarrowOriginalItsOwnWidth()
    {
        var photo = Photo();
        photo.Width = 400;
        photo.Height = 300;
        photo.Describe(null, decorative: true, photo.Caption, photo.Credit, null, null, photo.UpdatedAt);
        await SaveAsync(photo, WithImage(photo, "Dekor"));

        var img = Figure((string?)(await GetJson("/api/articles/by-slug/dekor"))["bodyHtml"]).QuerySelector("img")!;
        Assert.That(img.HasAttribute("alt") && img.GetAttribute("alt") == "", "alt=\"\": screen readers skip it");
        Assert.That((img.GetAttribute("width"), img.GetAttribute("height")), Is.EqualTo(("320", "240")));
        Assert.That(img.GetAttribute("src"), Does.EndWith("/320.jpg"));
    }

    [Test]
    public async Task ImageAddressesAreAbsoluteWithAPublicAddress()
    {
        const string publicBase = "https://api.solvesborg.se/innehall/";
        var photo = WidePhoto();
        await SaveAsync(photo, WithImage(photo));
        await using var server = new ContentApiFactory(TestRun.ConnectionString, TestRun.PhotoFolder,
            settings: new Dictionary<string, string?> { ["PublicBaseUrl"] = publicBase, ["BodyHtml:ImageSizes"] = "(min-width: 60em) 40em, 95vw" });
        using var client = server.CreateClient();

        var figure = Figure((string?)(await GetJson(client, "/api/articles/by-slug/hamnen"))["bodyHtml"]);
        var addresses = figure.QuerySelectorAll("source, img").SelectMany(e => e.GetAttribute("srcset")!.Split(", ").Select(c => c.Split(' ')[0]))
            .Append(figure.QuerySelector("img")!.GetAttribute("src")).ToList();
        Assert.That(addresses, Has.Count.EqualTo(2 * ContentApi.Domain.Photo.AvailableWidths(photo.Width).Count() + 1));
        Assert.That(addresses, Has.All.StartWith($"{publicBase}api/photos/{photo.Id}/renditions/"));
        Assert.That(figure.QuerySelector("img")!.GetAttribute("sizes"), Is.EqualTo("(min-width: 60em) 40em, 95vw"));
    }

    [Test]
    public async Task AnEditedAltTextShowsInTheStoredBodyOfTheArticleShowingThePhoto()
    {
        var photo = WidePhoto("Gammal alt-text.");
        var article = WithImage(photo);
        article.HeroPhotoId = null;
        article.RefreshPhotoIds();
        await SaveAsync(photo, article);
        await GetJson("/api/articles/by-slug/hamnen");
        using (var stored = await Client.GetAsync("/api/articles/by-slug/hamnen"))
            Assert.That(stored.CacheStatus(), Is.EqualTo(Hit), "the answer is stored");
        long before;
        await using (var db = TestRun.Factory.CreateDbContext())
            before = (await ChangeLog.StateAsync(db)).LastPosition;

        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        using var current = await editor.GetAsync($"/api/photos/{photo.Id}");
        var (patched, _) = await editor.SendJson(HttpMethod.Patch, $"/api/photos/{photo.Id}", """{"altText":"Ny alt-text om hamnen."}""",
            current.ETag(), "application/merge-patch+json");
        Assert.That(patched.IsSuccessStatusCode, await patched.Content.ReadAsStringAsync());

        var img = Figure((string?)(await GetJson("/api/articles/by-slug/hamnen"))["bodyHtml"]).QuerySelector("img")!;
        Assert.That(img.GetAttribute("alt"), Is.EqualTo("Ny alt-text om hamnen."));
        await using (var db = TestRun.Factory.CreateDbContext())
            Assert.That(await ChangeLog.After(db, before).Select(e => $"{e.Kind} {e.ContentId}").ToListAsync(),
                Does.Contain($"Article {article.Id}"), "followers of the change log are told the article changed too");
    }

    /// <summary>
    /// A real browser, on a page of another origin as the website is, reads the markup: it takes the WebP source and
    /// picks from its srcset the narrowest rendition that fills the sizes at its pixel density, and the rendition loads.
    /// </summary>
    [Test]
    public async Task ABrowserPicksAWebPRenditionFromTheSrcsetAndItLoads()
    {
        var photo = WidePhoto();
        await SaveAsync(photo, WithImage(photo));
        var bodyHtml = (string?)(await GetJson("/api/articles/by-slug/hamnen"))["bodyHtml"];
        using var website = new PageServer();
        var page = $$"""
            <!doctype html><html><head><base href="{{Client.BaseAddress}}"></head><body style="margin:0">{{bodyHtml}}
            <pre id="result">pending</pre><script>
            const img = document.querySelector("figure img");
            // naturalWidth of a srcset image is in CSS pixels; the file's own width is read from a plain image of it.
            const report = (outcome, width) => document.getElementById("result").textContent =
              [outcome, img.currentSrc, innerWidth, devicePixelRatio, width].join(" ");
            const measure = () => { const file = new Image(); file.onload = () => report("loaded", file.naturalWidth); file.onerror = () => report("failed", 0); file.src = img.currentSrc; };
            if (img.complete && img.naturalWidth > 0) measure(); else { img.onload = measure; img.onerror = () => report("failed", 0); }
            </script></body></html>
            """;

        var dom = await Chromium.DumpDomAsync(website.Serve(page));
        var result = System.Text.RegularExpressions.Regex.Match(dom, @"<pre id=""result"">(\S+) (\S+) (\d+) ([\d.]+) (\d+)</pre>");
        Assert.That(result.Success, dom);
        Assert.That(result.Groups[1].Value, Is.EqualTo("loaded"), dom);
        var chosen = result.Groups[2].Value;
        Assert.That(chosen, Does.Match($@"/api/photos/{photo.Id}/renditions/[^/]+/\d+\.webp$"));
        // sizes: (min-width: 768px) 768px, 100vw; the srcset offers 160 … 1920 pixels.
        var needed = Math.Min(768, int.Parse(result.Groups[3].Value)) * double.Parse(result.Groups[4].Value, System.Globalization.CultureInfo.InvariantCulture);
        var expected = ContentApi.Domain.Photo.AvailableWidths(photo.Width).First(w => w >= needed);
        Assert.That(chosen, Does.EndWith($"/{expected}.webp"));
        Assert.That(result.Groups[5].Value, Is.EqualTo(expected.ToString()), "the rendition file is as wide as its srcset says");
    }
}
