using ContentApi.Api.Articles;
using ContentApi.Api.Photos;
using ContentApi.Domain;

namespace ContentApi.Tests.Domain;

public class DomainRuleTests
{
    [TestCase("Nytt medborgarlöfte för 2024", "nytt-medborgarlofte-for-2024")]
    [TestCase("Åre, Älmhult & Öland!", "are-almhult-oland")]
    [TestCase("  --Trafik   i centrum-- ", "trafik-i-centrum")]
    [TestCase("Café på Sölvesborgs slott", "cafe-pa-solvesborgs-slott")]
    public void SlugIsMadeFromASwedishTitle(string title, string slug)
    {
        Assert.That(Slug.FromTitle(title), Is.EqualTo(slug));
        Assert.That(Slug.IsValid(slug), Is.True);
    }

    [TestCase("0456-81 62 20", "+46456816220", "0456-81 62 20")]
    [TestCase("+46 456 81 62 20", "+46456816220", "0456-81 62 20")]
    [TestCase("0046456816220", "+46456816220", "0456-81 62 20")]
    [TestCase("08-123 456 78", "+46812345678", "08-123 456 78")]
    [TestCase("070-123 45 67", "+46701234567", "070-123 45 67")]
    [TestCase("031-12 34 56", "+4631123456", "031-12 34 56")]
    public void SwedishPhoneNumbersAreStoredAsE164AndShownTheSwedishWay(string input, string e164, string display)
    {
        Assert.That(PhoneNumber.TryNormalize(input), Is.EqualTo(e164));
        Assert.That(PhoneNumber.ToSwedishDisplay(e164), Is.EqualTo(display));
    }

    [TestCase("123")]
    [TestCase("+1 212 555 0100")]
    [TestCase("0456-81 62 20 ring mig")]
    [TestCase("")]
    public void NonSwedishOrMalformedPhoneNumbersAreRefused(string input) =>
        Assert.That(PhoneNumber.TryNormalize(input), Is.Null);

    [Test]
    public void ArticleKnowsEveryPhotoItShows()
    {
        var hero = Guid.NewGuid();
        var inBody = Guid.NewGuid();
        var article = new Article { HeroPhotoId = hero, Body = [Block.Paragraph("x"), Block.Image(inBody), Block.Image(hero)] };
        article.RefreshPhotoIds();
        Assert.That(article.PhotoIds, Is.EquivalentTo(new[] { hero, inBody }));
    }

    [Test]
    public void DecorativePhotoGetsAnEmptyAltAttribute()
    {
        var photo = new PhotoDto(Guid.NewGuid(), "ignored", true, null, null, 10, 10, "image/png", 1, "ab", "#000000", 0.5, 0.5, DateTimeOffset.UnixEpoch);
        var html = BodyHtml.Render([Block.Image(photo.Id)], new Dictionary<Guid, PhotoDto> { [photo.Id] = photo });
        Assert.That(html, Does.Contain("alt=\"\""));
    }
}
