using System.Net;
using ContentApi.Api.Caching;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using ContentApi.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Delivery;

/// <summary>
/// The published counts the saving transaction keeps (table published_counts, triggers of migration PublishedCounts)
/// answer anonymous totals: they must agree with count(*) through the delivery face, whose filters are the one rule of
/// Domain/Visibility.cs, after every kind of save.
/// </summary>
public class PublishedCountTests : ApiTest
{
    private static readonly string[] Tags = ["trafik", "skola", "trygghet"];

    /// <summary>The kept counts, and the same counted through the delivery face (ContentDbContext's query filters).</summary>
    private static async Task AssertCountsAgreeAsync(string after)
    {
        // Rows changed behind the API's back are not in the count cache's view: count afresh.
        TestRun.Factory.Services.GetRequiredService<CountCache>().Clear();
        await using var db = TestRun.Factory.CreateDbContext();
        var kept = await db.PublishedCounts.AsNoTracking().Where(c => c.Count != 0)
            .ToDictionaryAsync(c => $"{c.ContentType}/{c.Tag}", c => c.Count);
        var counted = new Dictionary<string, long>
        {
            ["articles/"] = await db.Articles.CountAsync(),
            ["pledges/"] = await db.Pledges.CountAsync(),
        };
        var everyTag = await db.Articles.IgnoreQueryFilters().SelectMany(a => a.Tags).Distinct().ToListAsync();
        foreach (var tag in everyTag)
            counted[$"articles/{tag}"] = await db.Articles.CountAsync(a => a.Tags.Contains(tag));
        Assert.That(kept, Is.EquivalentTo(counted.Where(c => c.Value != 0)), $"after {after}");

        // Per tag (and "" for all) and month of publication in UTC (migration PublishedMonthCounts).
        var keptMonths = await db.PublishedMonthCounts.AsNoTracking().Where(c => c.Count != 0)
            .ToDictionaryAsync(c => $"{c.Tag}/{c.Year}/{c.Month}", c => c.Count);
        var published = await db.Articles.Select(a => new { a.Tags, a.PublishedAt }).ToListAsync();
        var countedMonths = published
            .SelectMany(a => a.Tags.Distinct().Append("").Select(t => $"{t}/{a.PublishedAt!.Value.UtcDateTime.Year}/{a.PublishedAt.Value.UtcDateTime.Month}"))
            .GroupBy(key => key).ToDictionary(g => g.Key, g => (long)g.Count());
        Assert.That(keptMonths, Is.EquivalentTo(countedMonths), $"months after {after}");
    }

    private static async Task<string> ETagAsync(HttpClient editor, Guid id)
    {
        using var response = await editor.GetAsync($"/api/articles/{id}");
        return response.ETag()!;
    }

    private static async Task SendAsync(HttpClient client, HttpMethod method, string url, object? body = null, string? ifMatch = null,
        string mediaType = "application/json")
    {
        var (response, json) = await client.SendJson(method, url, body, ifMatch, mediaType);
        Assert.That(response.IsSuccessStatusCode, $"{method} {url}: {(int)response.StatusCode} {json?.ToJsonString()}");
    }

    private static async Task BehindTheApisBackAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(TestRun.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    [Test]
    public async Task CountsAgreeWithTheDeliveryFaceThroughEveryKindOfSave()
    {
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var first = Article("Första", tags: ["trafik", "skola"]);
        await SaveAsync(first, Article("Utkast", ContentStatus.Draft, 1, "trafik"), Article("Arkiv", ContentStatus.Archived, 2, "skola"),
            Pledge(2024), Pledge(2025, ContentStatus.Draft));
        await AssertCountsAgreeAsync("inserts of every status");

        var (created, json) = await publisher.SendJson(HttpMethod.Post, "/api/articles", new
        {
            title = "Ny", lead = "Ingress.", body = new[] { new { type = "Paragraph", text = "Text." } }, tags = new[] { "trygghet", "trafik" },
        });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), json?.ToJsonString());
        var id = Guid.Parse((string)json!["id"]!);
        await AssertCountsAgreeAsync("a draft");
        await SendAsync(publisher, HttpMethod.Post, $"/api/articles/{id}/publish");
        await AssertCountsAgreeAsync("publish");
        await SendAsync(publisher, HttpMethod.Patch, $"/api/articles/{id}", """{"tags":["skola","ny-tagg"]}""",
            await ETagAsync(publisher, id), "application/merge-patch+json");
        await AssertCountsAgreeAsync("a pending change of tags");
        await SendAsync(publisher, HttpMethod.Post, $"/api/articles/{id}/publish");
        await AssertCountsAgreeAsync("publishing the tag change");
        await SendAsync(publisher, HttpMethod.Post, $"/api/articles/{id}/unpublish");
        await AssertCountsAgreeAsync("unpublish");
        await SendAsync(publisher, HttpMethod.Post, $"/api/articles/{id}/publish");
        await SendAsync(publisher, HttpMethod.Post, $"/api/articles/{first.Id}/archive");
        await AssertCountsAgreeAsync("archive");
        await SendAsync(publisher, HttpMethod.Delete, $"/api/articles/{id}", ifMatch: await ETagAsync(publisher, id));
        await AssertCountsAgreeAsync("delete of a published article");

        // Writes that do not go through the API at all: one statement over many rows, repeated tags, a status flip.
        await BehindTheApisBackAsync("UPDATE articles SET status = 'Published', published_at = coalesce(published_at, now())");
        await AssertCountsAgreeAsync("publishing every article in one statement");
        await BehindTheApisBackAsync("UPDATE articles SET tags = ARRAY['trafik', 'trafik', 'skola'] WHERE slug = 'utkast'");
        await AssertCountsAgreeAsync("a repeated tag");
        await BehindTheApisBackAsync("UPDATE pledges SET status = 'Published', published_at = coalesce(published_at, now())");
        await AssertCountsAgreeAsync("publishing pledges");
        await BehindTheApisBackAsync("DELETE FROM articles WHERE slug <> 'utkast'");
        await AssertCountsAgreeAsync("a delete of many rows");
    }

    [Test]
    public async Task ConcurrentSavesInEveryOrderOfTagsNeitherDeadlockNorMiscount()
    {
        var articles = Enumerable.Range(0, 40).Select(i =>
            Article($"Artikel {i}", ContentStatus.Draft, i, [.. Tags.Skip(i % 3).Concat(Tags.Take(i % 3))])).ToArray();
        await SaveAsync(articles);
        // Eight writers at once, each publishing and unpublishing its own articles, statement by statement, in one
        // transaction each, while bulk inserts of published articles run beside them.
        var writers = Enumerable.Range(0, 8).Select(async writer =>
        {
            await using var connection = new NpgsqlConnection(TestRun.ConnectionString);
            await connection.OpenAsync();
            for (var round = 0; round < 5; round++)
            {
                await using var transaction = await connection.BeginTransactionAsync();
                foreach (var article in articles.Where((_, i) => i % 8 == writer).Reverse().Skip(round % 2))
                {
                    await using var command = new NpgsqlCommand(
                        "UPDATE articles SET status = CASE WHEN status = 'Published' THEN 'Draft' ELSE 'Published' END::content_status, published_at = coalesce(published_at, now()) WHERE id = $1",
                        connection, transaction);
                    command.Parameters.Add(new NpgsqlParameter { Value = article.Id });
                    await command.ExecuteNonQueryAsync();
                }
                await transaction.CommitAsync();
            }
        }).Append(Task.Run(async () =>
        {
            for (var batch = 0; batch < 3; batch++)
                await SaveAsync(Enumerable.Range(0, 20).Select(i => (object)Article($"Massimport {batch} {i}", tags: Tags[(i + batch) % 3])).ToArray());
        }));
        await Task.WhenAll(writers);
        await AssertCountsAgreeAsync("concurrent saves");
    }

    [Test]
    public async Task AnonymousTotalsChangeOnTheVeryNextRequestAfterAPublish()
    {
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var draft = Article("Snart publicerad", ContentStatus.Draft, 5, "trafik");
        await SaveAsync(Article("Publicerad", tags: "trafik"), draft, Article("Annan", minutesAfterBase: 1, tags: "skola"));
        string[] urls =
        [
            "/api/articles?tag=trafik", "/api/articles",
            "/odata/Articles?$filter=tags/any(t:t eq 'trafik')&$count=true&$select=title", "/odata/Articles?$count=true&$top=1",
            "/odata/Articles/$count?$filter=tags/any(t:t eq 'trafik')",
        ];
        async Task<int[]> TotalsAsync()
        {
            var totals = new List<int>();
            foreach (var url in urls)
            {
                using var response = await Client.GetAsync(url);
                // Made now, not answered from the store (a plain-text /$count is made but not stored).
                Assert.That(response.CacheStatus(), Does.StartWith("ContentApi; fwd=uri-miss"), url);
                var body = await response.Content.ReadAsStringAsync();
                if (int.TryParse(body, out var count))
                {
                    totals.Add(count);
                    continue;
                }
                var json = System.Text.Json.Nodes.JsonNode.Parse(body)!;
                totals.Add((int)(json["totalCount"] ?? json["@odata.count"])!);
            }
            return [.. totals];
        }
        Assert.That(await TotalsAsync(), Is.EqualTo(new[] { 1, 2, 1, 2, 1 }));
        await SendAsync(publisher, HttpMethod.Post, $"/api/articles/{draft.Id}/publish");
        Assert.That(await TotalsAsync(), Is.EqualTo(new[] { 2, 3, 2, 3, 2 }));

        // The kept counts, not a count this server remembers: a save it did not make shows at once too.
        await BehindTheApisBackAsync($"UPDATE articles SET status = 'Archived' WHERE id = '{draft.Id}'");
        ForgetStoredAnswers();
        Assert.That(await TotalsAsync(), Is.EqualTo(new[] { 1, 2, 1, 2, 1 }));
    }

    [Test]
    public async Task EditorsAndOtherFiltersAreStillCounted()
    {
        await SaveAsync(Article("Publicerad", tags: ["trafik", "skola"]), Article("Utkast", ContentStatus.Draft, 1, "trafik"),
            Pledge(2024), Pledge(2025, ContentStatus.Draft));
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        Assert.That((int)(await GetJson(editor, "/api/articles?tag=trafik"))["totalCount"]!, Is.EqualTo(2));
        Assert.That((int)(await GetJson(editor, "/odata/Articles?$filter=tags/any(t:t eq 'trafik')&$count=true"))["@odata.count"]!, Is.EqualTo(2));
        Assert.That((int)(await GetJson(editor, "/odata/Pledges?$count=true"))["@odata.count"]!, Is.EqualTo(2));

        foreach (var (url, expected) in new[]
        {
            ("/odata/Pledges?$count=true", 1),
            ("/odata/Articles?$filter=tags/any(t:t eq 'trafik') and title eq 'Utkast'&$count=true", 0),
            ("/odata/Articles?$filter=tags/any(t:t eq 'skola') or tags/any(t:t eq 'trafik')&$count=true", 1),
            ("/odata/Articles?$filter=tags/any(t:t eq '')&$count=true", 0),
            ("/odata/Articles?$filter=tags/all(t:t eq 'trafik')&$count=true", 0),
            ("/odata/Articles/$count?$filter=tags/any(t:t eq 'trafik')", 1),
            ($"/odata/Articles?$filter=title eq 'Utkast'&$count=true", 0),
        })
        {
            ForgetStoredAnswers();
            using var response = await Client.GetAsync(url);
            var body = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{url}: {body}");
            var count = body.TrimStart().StartsWith('{') ? (int)System.Text.Json.Nodes.JsonNode.Parse(body)!["@odata.count"]! : int.Parse(body);
            Assert.That(count, Is.EqualTo(expected), url);
        }
        Assert.That((int)(await GetJson("/api/articles?tag=trafik&tag=skola", forget: true))["totalCount"]!, Is.EqualTo(1));
        Assert.That((int)(await GetJson("/api/articles?tag=trafik&status=Draft", forget: true))["totalCount"]!, Is.EqualTo(0));
    }
}
