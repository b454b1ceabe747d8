using System.Net;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Rest;

public class BadInputTests : ApiTest
{
    [TestCase("/api/articles?page=0", "page")]
    [TestCase("/api/articles?page=-3", "page")]
    [TestCase("/api/articles?pageSize=0", "pageSize")]
    [TestCase("/api/articles?pageSize=101", "pageSize")]
    [TestCase("/api/articles?page=abc", "page")]
    [TestCase("/api/articles?pageSize=99999999999999", "pageSize")]
    [TestCase("/api/articles?page=2147483647", "page")]
    public async Task BadPagingIsA400ProblemNamingTheParameter(string url, string parameter)
    {
        var detail = await GetProblem(url, HttpStatusCode.BadRequest);
        Assert.That(detail, Does.Contain(parameter));
    }

    [Test]
    public async Task PageBeyondTheEndIsEmptyNotAnError()
    {
        await SaveAsync(Article("En"));
        var list = await GetJson("/api/articles?page=500");
        Assert.That(list["items"]!.AsArray(), Is.Empty);
        Assert.That((int?)list["totalCount"], Is.EqualTo(1));
    }

    /// <summary>Kestrel refuses a NUL in the path itself, before the app runs, so that 400 has no body.</summary>
    [Test]
    public async Task NulCharacterInThePathIsRefusedByTheServer()
    {
        using var response = await Client.GetAsync("/api/articles/by-slug/%00%01");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task NulCharacterInATextParameterIsA400Problem()
    {
        Assert.That(await GetProblem("/api/articles?tag=%00", HttpStatusCode.BadRequest), Does.Contain("refused a value"));
        await GetProblem("/odata/Articles?$filter=title eq '%00'", HttpStatusCode.BadRequest);
    }

    /// <summary>Odd input anywhere in the URL is answered with a 4xx, never a 500.</summary>
    [TestCase("/api/articles/not-a-guid")]
    [TestCase("/api/articles/by-slug/%C3%A5%C3%A4%C3%B6")]
    [TestCase("/api/articles?tag=%00")]
    [TestCase("/api/articles?page=1&page=2")]
    [TestCase("/api/pledges/99999999999")]
    [TestCase("/api/pledges/by-year/99999999999")]
    [TestCase("/api/pledges/abc")]
    [TestCase("/api/photos/00000000-0000-0000-0000-000000000000/file")]
    [TestCase("/api/photos/xyz")]
    [TestCase("/api/contacts/')--")]
    [TestCase("/odata/Articles(1)")]
    [TestCase("/odata/Articles('x')")]
    [TestCase("/odata/Articles?$filter=title eq '%00'")]
    [TestCase("/odata/Articles?$filter=length(title) div 0 eq 1")]
    [TestCase("/odata/Articles?$orderby=title desc desc")]
    [TestCase("/odata/Articles?$skip=99999999999")]
    [TestCase("/odata/Articles?skiptoken=")]
    [TestCase("/odata/Articles?$filter=1 div 0 eq 1")]
    [TestCase("/odata/Articles?$filter=null")]
    [TestCase("/odata/Articles?$filter=year(null) eq 1")]
    [TestCase("/odata/Articles?$filter=substring('abc',10) eq 'x'")]
    [TestCase("/odata/Articles?$filter=-2147483648 div -1 eq 1")]
    [TestCase("/odata/Articles?$filter=1M div 0M eq 1")]
    [TestCase("/odata/Articles?$filter=matchesPattern('a','(')")]
    [TestCase("/odata/Articles?$filter=cast(title, Edm.Boolean)")]
    [TestCase("/odata/Articles?$orderby=1 div 0")]
    [TestCase("/odata/Articles?$filter=status has 'Published'")]
    [TestCase("/odata/Photos?$filter=focalX mod 0 eq 1")]
    [TestCase("/odata/Photos?$filter=cast(decorative, Edm.Int16) eq 1")]
    [TestCase("/odata/Articles/$count?$filter=1 div 0 eq 1")]
    [TestCase("/odata/Articles?$SkipToken=")]
    [TestCase("/odata/Articles?$orderby=pledge/year&$select=id")]
    [TestCase("/odata/Articles?$orderby=pledge/year desc")]
    [TestCase("/odata/Articles?$orderby=year(pledge/publishedAt)")]
    [TestCase("/odata/Articles?$orderby=length(pledge/title)&$select=title")]
    [TestCase("/odata/Articles?$orderby=pledge/year&$skiptoken=pledge-1,id-00000000-0000-0000-0000-000000000000")]
    [TestCase("/odata/Articles?$filter=tags/any(t: tags/any(u: tags/any(v: v eq t)))")]
    [TestCase("/odata/Nope")]
    [TestCase("/odata/Photos?$filter=width mul 1000000000 gt 1")]
    [TestCase("/odata/Articles?$select=title&$expand=*")]
    [TestCase("/odata/Photos?$select=renditions")]
    [TestCase("/odata/Photos?$expand=*&$select=renditions/url")]
    public async Task OddInputNeverCausesA500(string url)
    {
        await SaveAsync(Article("Nyhet", tags: ["trafik"]));
        using var response = await Client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.LessThan(500), $"{url} answered {(int)response.StatusCode}: {body}");
        if (!response.IsSuccessStatusCode)
        {
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), $"{url}: {body}");
            Assert.That((string?)System.Text.Json.Nodes.JsonNode.Parse(body)!["detail"], Is.Not.Null.And.Not.Empty, $"{url}: {body}");
        }
    }
}
