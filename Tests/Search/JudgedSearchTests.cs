using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using ContentApi.Infrastructure;
using ContentApi.Infrastructure.Seeding;
using ContentApi.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ContentApi.Tests.Search;

/// <summary>
/// Search quality: the judged queries of judged-queries.json over the demo content and 300 generated articles, scored
/// as recall@10 and nDCG@10 (binary relevance). Fails below a mean recall@10 of 0.9; prints every query's scores.
/// </summary>
public class JudgedSearchTests : ApiTest
{
    public const double MinimumRecall = 0.9;
    private const int K = 10;

    private sealed record Judged(string Kind, string Q, string[]? Titles, string[]? Tags, string[]? Slugs, int[]? Pledges, string? Exclude);

    [Test]
    public async Task JudgedQueriesReachTheRecallTarget()
    {
        await using (var db = TestRun.Factory.CreateDbContext())
        {
            var storage = TestRun.Factory.Services.GetRequiredService<PhotoStorage>();
            await DemoContent.SeedAsync(db, storage);
            await LoadTestContent.GenerateAsync(db, storage, 300, TestRun.Factory.Clock);
        }
        var judged = Load();
        Assert.That(judged, Has.Count.GreaterThanOrEqualTo(30));

        var scores = new List<(Judged Query, double Recall, double Ndcg, int Relevant, bool Suggested)>();
        foreach (var query in judged)
        {
            var relevant = await RelevantAsync(query);
            Assert.That(relevant, Is.Not.Empty, $"'{query.Q}' has relevant items in the corpus");
            var answer = await GetJson("/api/search?pageSize=10&q=" + Uri.EscapeDataString(query.Q));
            var suggested = answer["items"]!.AsArray().Count == 0 && answer["didYouMean"] is not null;
            if (suggested)
                answer = await GetJson("/api/search?pageSize=10&q=" + Uri.EscapeDataString((string)answer["didYouMean"]!));
            var found = answer["items"]!.AsArray().Select(i => Guid.Parse((string)i!["id"]!)).Take(K).ToList();
            scores.Add((query, Recall(found, relevant), Ndcg(found, relevant), relevant.Count, suggested));
        }

        foreach (var (query, recall, ndcg, relevant, suggested) in scores)
            TestContext.Out.WriteLine($"{query.Kind,-10} {query.Q,-28} recall@10 {recall:0.00}  nDCG@10 {ndcg:0.00}  ({relevant} relevant{(suggested ? ", via didYouMean" : "")})");
        foreach (var kind in scores.GroupBy(s => s.Query.Kind))
            TestContext.Out.WriteLine($"{kind.Key,-10} recall@10 {kind.Average(s => s.Recall):0.000}  nDCG@10 {kind.Average(s => s.Ndcg):0.000}  ({kind.Count()} queries)");
        var meanRecall = scores.Average(s => s.Recall);
        var meanNdcg = scores.Average(s => s.Ndcg);
        TestContext.Out.WriteLine($"ALL {scores.Count} queries: recall@10 {meanRecall:0.000}, nDCG@10 {meanNdcg:0.000}");
        Assert.That(meanRecall, Is.GreaterThanOrEqualTo(MinimumRecall),
            $"mean recall@10 {meanRecall:0.000}, nDCG@10 {meanNdcg:0.000}; misses: "
            + string.Join(", ", scores.Where(s => s.Recall < 1).Select(s => $"{s.Query.Q} ({s.Recall:0.00})")));
    }

    /// <summary>Relevant items of the corpus as the anonymous reader sees it (published only).</summary>
    private static async Task<HashSet<Guid>> RelevantAsync(Judged query)
    {
        await using var db = TestRun.Factory.CreateDbContext();
        var titles = (query.Titles ?? []).Select(t => $"%{t}%").ToArray();
        var exclude = query.Exclude is null ? "" : $"%{query.Exclude}%";
        var articles = await db.Database.SqlQueryRaw<Guid>("""
            SELECT id AS "Value" FROM articles
            WHERE status = 'Published'
              AND (title ILIKE ANY({0}) OR tags && {1} OR slug = ANY({2}))
              AND ({3} = '' OR NOT (title ILIKE {3} OR lead ILIKE {3} OR body::text ILIKE {3} OR array_to_string(tags, ' ') ILIKE {3}))
            """, titles, query.Tags ?? [], query.Slugs ?? [], exclude).ToListAsync();
        var pledges = await db.Database.SqlQueryRaw<Guid>("""
            SELECT id AS "Value" FROM pledges WHERE status = 'Published' AND year = ANY({0})
              AND ({1} = '' OR NOT (title ILIKE {1} OR summary ILIKE {1} OR priority_areas::text ILIKE {1}))
            """, query.Pledges ?? [], exclude).ToListAsync();
        return [.. articles, .. pledges];
    }

    private static double Recall(List<Guid> found, HashSet<Guid> relevant) =>
        found.Count(relevant.Contains) / (double)Math.Min(K, relevant.Count);

    private static double Ndcg(List<Guid> found, HashSet<Guid> relevant)
    {
        var dcg = found.Select((id, i) => relevant.Contains(id) ? 1 / Math.Log2(i + 2) : 0).Sum();
        var ideal = Enumerable.Range(0, Math.Min(K, relevant.Count)).Sum(i => 1 / Math.Log2(i + 2));
        return dcg / ideal;
    }

    private static List<Judged> Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("judged-queries.json")!;
        var root = JsonNode.Parse(stream)!;
        return root["queries"].Deserialize<List<Judged>>(Json)!;
    }
}
