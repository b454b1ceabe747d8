using ContentApi.Api.Hosting;
using ContentApi.Api.Reading;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ContentApi.Api.Search;

/// <summary>
/// <c>GET /api/search?q=…</c>: Swedish full-text search over articles and pledges (PostgreSQL, migration Search), ranked,
/// with snippets, facets and "did you mean". Reads through the one reader (<see cref="SearchQuery"/>); anonymous
/// answers are stored and evicted with every saved article or pledge (<see cref="ContentFamily.Search"/>).
/// </summary>
public static class SearchEndpoints
{
    public const int DefaultPageSize = 10;
    public const int MaxPageSize = 50;
    /// <summary>Nobody reads past the first hundreds of search results; deeper pages would rank everything again.</summary>
    public const int MaxResults = 500;
    private const int TopTags = 20;

    public static void MapSearch(this IEndpointRouteBuilder app) =>
        app.MapGet(ContentRoutes.Search, SearchAsync).WithTags("Search").WithName("search")
            .WithSummary("Swedish full-text search over articles and pledges, best first, with snippets and facet counts.")
            .WithDescription("q takes websearch syntax: words (all must match, inflected forms too: \"trygghetsvandringar\" finds "
                + "\"trygghetsvandring\"), \"a quoted phrase\", -word to exclude, or between alternatives. The last word also matches as "
                + "a prefix (search as you type). Words typed without å, ä, ö find too, ranked below exact matches. When nothing "
                + "matches, didYouMean suggests a search with words that occur in titles.")
            .AllowQuery("q", "type", "tag", "year", "page", "pageSize");

    internal static string? TypeOf(string? type) => type?.ToLowerInvariant() switch
    {
        "article" or "articles" => "article",
        "pledge" or "pledges" => "pledge",
        _ => null,
    };

    /// <param name="reader"></param>
    /// <param name="request"></param>
    /// <param name="q">The search text, at most 200 characters, e.g. trygghet, "tidig upptäckt", trafik -polisen, skola or förskola.</param>
    /// <param name="type">article or pledge; both when left out.</param>
    /// <param name="tag">Only articles with this tag, e.g. trygghet (pledges have no tags).</param>
    /// <param name="year">Only articles published this year and the pledge of this year.</param>
    /// <param name="page">1-based page; page × pageSize at most 500.</param>
    /// <param name="pageSize">Results per page, 1 to 50 (default 10).</param>
    /// <param name="ct"></param>
    private static async Task<Results<Ok<SearchAnswerDto>, ValidationProblem>> SearchAsync(ContentReader reader, HttpRequest request,
        string? q, string? type, string? tag, int? year, int page = 1, int pageSize = DefaultPageSize, CancellationToken ct = default)
    {
        if (SearchText.Validate(q, type, tag, year, page, pageSize) is { } problem)
            return problem;
        var text = SearchText.Parse(q!);
        var search = new SearchQuery(reader, text);
        var kind = TypeOf(type);
        var (articles, pledges) = await search.RunAsync(async () => (
            kind is null or "article" ? await search.ArticlesAsync(tag, year, ct) : null,
            kind is null or "pledge" ? await search.PledgesAsync(tag, year, ct) : null), ct);
        var hits = (articles?.Items ?? []).Concat(pledges?.Items ?? [])
            .OrderByDescending(h => h.Exact).ThenByDescending(h => h.Rank).ThenByDescending(h => h.PublishedAt).ThenBy(h => h.Id).ToList();
        var total = hits.Count;

        var shown = hits.Skip((page - 1) * pageSize).Take(pageSize).ToList();
        var details = new Dictionary<Guid, SearchResultDto>();
        if (shown.Where(h => h.Type == "article").Select(h => h.Id).ToList() is { Count: > 0 } articleIds)
            details = await search.ArticleDetailsAsync(articleIds, ct);
        if (shown.Where(h => h.Type == "pledge").Select(h => h.Id).ToList() is { Count: > 0 } pledgeIds)
            foreach (var (id, pledge) in await search.PledgeDetailsAsync(pledgeIds, ct))
                details[id] = pledge;
        var items = shown.Where(h => details.ContainsKey(h.Id))
            .Select(h => details[h.Id] with { Score = Math.Round(h.Exact ? 1 + h.Rank : h.Rank, 4) }).ToList();

        List<FacetDto<string>> types = [];
        if (articles is not null)
            types.Add(new("article", articles.Items.Count));
        if (pledges is not null)
            types.Add(new("pledge", pledges.Items.Count));
        var facets = new SearchFacetsDto(types,
            [.. hits.SelectMany(h => h.Tags).GroupBy(t => t).Select(g => new FacetDto<string>(g.Key, g.Count()))
                .OrderByDescending(f => f.Count).ThenBy(f => f.Value, StringComparer.Ordinal).Take(TopTags)],
            [.. hits.Select(h => h.Year ?? h.PublishedAt?.Year).OfType<int>().GroupBy(y => y)
                .Select(g => new FacetDto<int>(g.Key, g.Count())).OrderByDescending(f => f.Value)]);
        var more = articles?.More == true || pledges?.More == true;
        var suggestion = total == 0 ? await search.SuggestAsync(ct) : null;
        return TypedResults.Ok(new SearchAnswerDto(text.Query, items, page, pageSize, total, more,
            Paging.NextPageLink(request, page, pageSize, Math.Min(total, MaxResults)), facets, suggestion));
    }
}
