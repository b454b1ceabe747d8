using ContentApi.Tests.Support;

namespace ContentApi.Tests.Rest;

public class SmokeTests : ApiTest
{
    [Test]
    public async Task PublishedArticleIsServedBySlug()
    {
        await ContentBuilder.SaveAsync(ContentBuilder.Article("Nytt medborgarlöfte för 2024"));
        var article = await GetJson("/api/articles/by-slug/nytt-medborgarlofte-for-2024");
        Assert.That((string?)article["title"], Is.EqualTo("Nytt medborgarlöfte för 2024"));
    }
}
