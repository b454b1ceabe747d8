using System.Net;
using System.Text.Json.Nodes;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.OData;

/// <summary>OData $apply and $compute as a Power BI or Excel report asks them, grouped and counted by PostgreSQL.</summary>
public class AggregationTests : ApiTest
{
    private const int Day = 60 * 24;
    private const string PerTagPerMonth =
        "/odata/ArticleTags?$apply=compute(year(publishedAt) as year,month(publishedAt) as month)"
        + "/groupby((tag,year,month),aggregate($count as articles))&$orderby=tag,year,month";

    /// <summary>Each row of an answer as "name=value" pairs in the order given.</summary>
    private static List<string> Rows(JsonNode json, params string[] names) =>
        [.. json["value"]!.AsArray().Select(row => string.Join(' ', names.Select(n => $"{n}={row![n]}")))];

    [Test]
    public async Task ArticlesPerTagPerMonthAreCountedByPostgreSql()
    {
        await SaveAsync(
            Article("Trafik och skola", minutesAfterBase: 0, tags: ["trafik", "skola"]),
            Article("Trafik i april", minutesAfterBase: 40 * Day, tags: ["trafik"]),
            Article("Mer trafik i april", minutesAfterBase: 41 * Day, tags: ["trafik"]),
            Article("Utan taggar", minutesAfterBase: 42 * Day));

        TestRun.Factory.Sql.Reset();
        var json = await GetJson(PerTagPerMonth);

        Assert.That(Rows(json, "tag", "year", "month", "articles"), Is.EqualTo(new[]
        {
            "tag=skola year=2024 month=3 articles=1",
            "tag=trafik year=2024 month=3 articles=1",
            "tag=trafik year=2024 month=4 articles=2",
        }));
        // One query, grouped where the rows are: the page read is the groups, not the articles.
        Assert.That(TestRun.Factory.Sql.Count, Is.EqualTo(1));
        Assert.That(TestRun.Factory.Sql.LastQuery, Does.Contain("unnest(a.tags)").And.Contain("GROUP BY").And.Contain("count(*)")
            .And.Contain("date_part('month'"));
    }

    [Test]
    public async Task TagMonthsAnswerArticlesPerTagPerMonthFromTheKeptCounts()
    {
        await SaveAsync(
            Article("Trafik och skola", minutesAfterBase: 0, tags: ["trafik", "skola"]),
            Article("Trafik i april", minutesAfterBase: 40 * Day, tags: ["trafik"]),
            Article("Mer trafik i april", minutesAfterBase: 41 * Day, tags: ["trafik"]),
            Article("Utkast i april", ContentStatus.Draft, 42 * Day, "trafik", "utkast"),
            Article("Utan taggar", minutesAfterBase: 43 * Day));

        var months = await GetJson("/odata/TagMonths?$filter=tag ne ''&$orderby=tag,year,month");
        Assert.That(TestRun.Factory.Sql.LastQuery, Does.Contain("published_month_counts").And.Not.Contain("FROM articles"));
        Assert.That(Rows(months, "tag", "year", "month", "articleCount"), Is.EqualTo(new[]
        {
            "tag=skola year=2024 month=3 articleCount=1",
            "tag=trafik year=2024 month=3 articleCount=1",
            "tag=trafik year=2024 month=4 articleCount=2",
        }));
        // The same answer as counting the articles' tags, read from the kept rows, not from the articles.
        Assert.That(Rows(months, "tag", "year", "month", "articleCount"),
            Is.EqualTo(Rows(await GetJson(PerTagPerMonth), "tag", "year", "month", "articles").Select(r => r.Replace("articles=", "articleCount="))));

        // Tag "" is every published article of the month; $apply sums the months into years.
        var all = await GetJson("/odata/TagMonths?$filter=tag eq ''&$orderby=year,month");
        Assert.That(Rows(all, "year", "month", "articleCount"), Is.EqualTo(new[] { "year=2024 month=3 articleCount=1", "year=2024 month=4 articleCount=3" }));
        var years = await GetJson("/odata/TagMonths?$apply=filter(tag ne '')/groupby((tag,year),aggregate(articleCount with sum as articles))&$orderby=tag");
        Assert.That(Rows(years, "tag", "year", "articles"), Is.EqualTo(new[] { "tag=skola year=2024 articles=1", "tag=trafik year=2024 articles=3" }));
    }

    [Test]
    public async Task TagsAreCountedAndArticlesCountedOncePerTag()
    {
        await SaveAsync(Article("Ett", tags: ["trafik", "skola"]), Article("Två", minutesAfterBase: 5, tags: ["trafik"]));

        var counted = await GetJson("/odata/ArticleTags?$apply=groupby((tag),aggregate($count as articles))&$orderby=articles desc");
        Assert.That(Rows(counted, "tag", "articles"), Is.EqualTo(new[] { "tag=trafik articles=2", "tag=skola articles=1" }));
        var distinct = await GetJson("/odata/ArticleTags?$apply=groupby((tag),aggregate(articleId with countdistinct as articles))");
        Assert.That(Rows(distinct, "tag", "articles"), Is.EqualTo(new[] { "tag=skola articles=1", "tag=trafik articles=2" }));
        Assert.That(TestRun.Factory.Sql.LastQuery, Does.Contain("count(DISTINCT"));
        // Sum and max of a count: how many tags are used in all, and the most one article has.
        var totals = await GetJson("/odata/ArticleTags?$apply=groupby((articleId),aggregate($count as tags))/aggregate(tags with sum as uses,tags with max as most)");
        Assert.That(Rows(totals, "uses", "most"), Is.EqualTo(new[] { "uses=3 most=2" }));
        var rows = await GetJson("/odata/ArticleTags?$filter=tag eq 'skola'&$select=tag,publishedAt");
        Assert.That(Rows(rows, "tag", "publishedAt"), Is.EqualTo(new[] { "tag=skola publishedAt=2024-03-01T08:00:00Z" }));
    }

    [Test]
    public async Task ComputedYearCanBeGroupedSelectedAndFiltered()
    {
        await SaveAsync(
            Article("Förra året", minutesAfterBase: 0),
            Article("I år", minutesAfterBase: 400 * Day),
            Article("Också i år", minutesAfterBase: 401 * Day));

        var perYear = await GetJson("/odata/Articles?$apply=compute(year(publishedAt) as year)/groupby((year),aggregate($count as articles))");
        Assert.That(Rows(perYear, "year", "articles"), Is.EqualTo(new[] { "year=2024 articles=1", "year=2025 articles=2" }));
        Assert.That(TestRun.Factory.Sql.LastQuery, Does.Contain("GROUP BY"));
        var computed = await GetJson("/odata/Articles?$compute=year(publishedAt) as year&$select=title,year&$filter=year eq 2024");
        Assert.That(Rows(computed, "title", "year"), Is.EqualTo(new[] { "title=Förra året year=2024" }));
    }

    [Test]
    public async Task AggregatesCountFirstAndLatestAndFilterFirst()
    {
        var pledge = Pledge(2024);
        var about = Article("Om löftet", minutesAfterBase: 10, tags: ["trygghet"]);
        about.PledgeId = pledge.Id;
        await SaveAsync(pledge, Pledge(2025), about, Article("Annat", minutesAfterBase: 20 * Day, tags: ["trafik"]));

        var all = await GetJson("/odata/Articles?$apply=aggregate($count as articles,publishedAt with min as first,publishedAt with max as latest)");
        Assert.That(Rows(all, "articles", "first", "latest"), Is.EqualTo(new[] { "articles=2 first=2024-03-01T08:10:00Z latest=2024-03-21T08:00:00Z" }));
        var filtered = await GetJson("/odata/ArticleTags?$apply=filter(publishedAt ge 2024-03-10T00:00:00Z)/groupby((tag),aggregate($count as articles))");
        Assert.That(Rows(filtered, "tag", "articles"), Is.EqualTo(new[] { "tag=trafik articles=1" }));
        Assert.That(TestRun.Factory.Sql.LastQuery, Does.Contain("WHERE").And.Contain("GROUP BY"));
        var pledges = await GetJson("/odata/Pledges?$apply=groupby((year),aggregate($count as pledges))");
        Assert.That(Rows(pledges, "year", "pledges"), Is.EqualTo(new[] { "year=2024 pledges=1", "year=2025 pledges=1" }));
        var byPledge = await GetJson("/odata/Articles?$apply=filter(pledge ne null)/groupby((pledge/year),aggregate($count as articles))");
        Assert.That((int?)byPledge["value"]![0]!["pledge"]!["year"], Is.EqualTo(2024));
        Assert.That((int?)byPledge["value"]![0]!["articles"], Is.EqualTo(1));
    }

    [Test]
    public async Task GroupingThroughAMissingNavigationIsAProblemThatSaysHowToFilter()
    {
        await SaveAsync(Article("Utan löfte"));
        var detail = await GetProblem("/odata/Articles?$apply=groupby((pledge/year),aggregate($count as articles))", HttpStatusCode.BadRequest);
        Assert.That(detail, Does.Contain("filter(pledge ne null)"));
    }

    [Test]
    public async Task OneItemIsNoSetToAggregate()
    {
        var article = Article("Ett");
        await SaveAsync(article);
        foreach (var url in new[]
        {
            $"/odata/Articles({article.Id})?$apply=aggregate($count as n)",
            $"/odata/Articles({article.Id})?$compute=year(publishedAt) as year",
            "/odata/Tags('trafik')?$apply=aggregate($count as n)",
        })
            Assert.That(await GetProblem(url, HttpStatusCode.BadRequest), Does.Contain("aggregate a set"), url);
        Assert.That(await GetProblem("/odata/Articles?$search=kommunen&$apply=groupby((lix))", HttpStatusCode.BadRequest),
            Does.Contain("not with $apply"));
    }

    [Test]
    public async Task CountOfAGroupedAnswerCountsTheGroups()
    {
        await SaveAsync(Article("Ett", tags: ["a"]), Article("Två", minutesAfterBase: 1, tags: ["a"]), Article("Tre", minutesAfterBase: 2, tags: ["b"]));

        Assert.That((int?)(await GetJson("/odata/Articles?$apply=groupby((status))&$count=true"))["@odata.count"], Is.EqualTo(1));
        Assert.That((int?)(await GetJson("/odata/ArticleTags?$apply=groupby((tag))&$count=true"))["@odata.count"], Is.EqualTo(2));
        Assert.That((int?)(await GetJson("/odata/Articles?$apply=filter(title ne 'Ett')&$count=true"))["@odata.count"], Is.EqualTo(2));
    }

    [Test]
    public async Task GroupsArePagedByAThousandOrAsPreferredWithANextLink()
    {
        var tags = Enumerable.Range(0, 102).Select(i => $"tagg-{i:D3}").ToList();
        await SaveAsync([.. tags.Chunk(ContentApi.Domain.Article.MaxTags).Select((chunk, i) => (object)Article($"Artikel {i}", minutesAfterBase: i, tags: chunk))]);
        const string url = "/odata/ArticleTags?$apply=groupby((tag),aggregate($count as articles))";

        var whole = await GetJson(url);
        Assert.That(whole["value"]!.AsArray(), Has.Count.EqualTo(102), "a page holds up to 1,000 groups");
        Assert.That(whole["@odata.nextLink"], Is.Null);

        var pages = new List<int>();
        for (string? next = url; next is not null;)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, next) { Headers = { { "Prefer", "odata.maxpagesize=50" } } };
            using var response = await Client.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), next);
            Assert.That(string.Join(",", response.Headers.GetValues("Preference-Applied")), Is.EqualTo("odata.maxpagesize=50"));
            var page = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            pages.Add(page["value"]!.AsArray().Count);
            next = (string?)page["@odata.nextLink"];
        }
        Assert.That(pages, Is.EqualTo(new[] { 50, 50, 2 }));
    }

    [Test]
    public async Task EditorsCountTheirDraftsToo()
    {
        await SaveAsync(Article("Publicerad", tags: ["trafik"]), Article("Utkast", ContentStatus.Draft, minutesAfterBase: 5, tags: ["trafik", "utkast"]));
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);

        var counted = await GetJson(editor, "/odata/ArticleTags?$apply=groupby((tag,status),aggregate($count as articles))&$orderby=tag,status");
        Assert.That(Rows(counted, "tag", "status", "articles"), Is.EqualTo(new[]
            { "tag=trafik status=Draft articles=1", "tag=trafik status=Published articles=1", "tag=utkast status=Draft articles=1" }));
    }

    /// <summary>Variations of the queries a report makes, cut short, unbalanced or misspelt: a 4xx problem each, never a 500.</summary>
    [Test]
    public async Task MangledApplyAndComputeAreClientErrors()
    {
        await SaveAsync(Article("Nyhet", tags: ["trafik"]));
        string[] valid =
        [
            "ArticleTags?$apply=compute(year(publishedAt) as year)/groupby((tag,year),aggregate($count as articles))",
            "Articles?$apply=filter(contains(title,'N'))/aggregate(publishedAt with max as latest)",
            "Articles?$compute=month(publishedAt) as month&$select=month",
        ];
        var mangled = valid.SelectMany(url => Enumerable.Range(1, url.Length / 6).Select(i => url[..(i * 6)]))
            .Concat(valid.Select(url => url.Replace("(", "((")))
            .Concat(valid.Select(url => url.Replace(")", "")))
            .Concat(valid.Select(url => url.Replace(" as ", " as 1")))
            .Concat(valid.Select(url => url.Replace("$count", "$counts")))
            .Concat(valid.Select(url => url.Replace("year", "'year'")))
            .Concat(valid.Select(url => url.Replace("publishedAt", "tag div 0")))
            .Concat([
                "Articles?$apply=compute(length(title) div 0 as x)/groupby((x))",
                "Articles?$apply=" + string.Join('/', Enumerable.Repeat("groupby((title))", 40)),
                "Articles?$apply=aggregate($count as n)&$orderby=nosuch",
                "Articles?$apply=groupby((title))&$skiptoken=id-00000000-0000-0000-0000-000000000000",
                "Articles?$apply=groupby((title))&$expand=heroPhoto",
                "Articles?$compute=year(publishedAt) as title",
                "Photos?$apply=groupby((renditions))",
                "Pledges?$apply=groupby((priorityAreas),aggregate($count as n))",
            ]).Distinct().ToList();

        foreach (var url in mangled)
        {
            using var response = await Client.GetAsync("/odata/" + url);
            Assert.That((int)response.StatusCode, Is.LessThan(500), url);
            if (!response.IsSuccessStatusCode)
                Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), url);
        }
    }
}
