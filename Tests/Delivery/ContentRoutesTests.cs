using ContentApi.Api;
using ContentApi.Domain;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ContentApi.Tests.Delivery;

/// <summary>The routes of content and their cache families, written once (Api/ContentRoutes.cs).</summary>
public class ContentRoutesTests
{
    [TestCase("/api/articles/by-slug/x", ContentFamily.Articles)]
    [TestCase("/API/ARTICLES", ContentFamily.Articles)]
    [TestCase("/api/Pledges/current", ContentFamily.Pledges)]
    [TestCase("/api/photos/1/renditions/v1/320.webp", ContentFamily.Photos)]
    [TestCase("/api/contacts", ContentFamily.Contacts)]
    [TestCase("/api/feeds/tags/trafik.atom", ContentFamily.Feeds)]
    [TestCase("/odata/Articles", ContentFamily.OData)]
    [TestCase("/OData/$metadata", ContentFamily.OData)]
    [TestCase("/api/sync", ContentFamily.Sync)]
    [TestCase("/api/articlesx", ContentFamily.Other)]
    [TestCase("/api", ContentFamily.Other)]
    public void FilesAnswersByRouteFamilyWhateverTheCase(string path, ContentFamily family) =>
        Assert.That(ContentRoutes.FamilyOf(path), Is.EqualTo(family));

    [Test]
    public void EveryContentReadTheApiMapsIsInAFamilyThatAChangeEvicts()
    {
        var evicted = Enum.GetValues<ContentKind>().SelectMany(ContentRoutes.Showing).ToHashSet();
        var reads = TestRun.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(HttpMethods.Get) != false)
            .Select(e => new PathString("/" + e.RoutePattern.RawText!.TrimStart('/')))
            .Where(ContentRoutes.IsContent)
            .ToList();
        Assert.That(reads, Has.Count.GreaterThan(20), "the API's routes were found");
        foreach (var path in reads)
            Assert.That(evicted, Does.Contain(ContentRoutes.FamilyOf(path)), $"{path} is stored but no change evicts it");
    }
}
