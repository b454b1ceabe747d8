using ContentApi.Api.Reading;
using ContentApi.Domain;
using Microsoft.EntityFrameworkCore;
using static ContentApi.Infrastructure.Search.SearchFunctions;

namespace ContentApi.Api.Search;

/// <summary>
/// Search over the sets of the one reader (<see cref="ContentReader"/>): anonymous callers search what the delivery face
/// shows, editors the preview face (drafts and pending versions); the rule of who sees what is the reader's, not ours.
/// A hit matches the Swedish vector, or the unaccented one (a query without å, ä, ö); exact matches rank first.
/// </summary>
/// <remarks>
/// One query per type reads the hits, newest first, at most <see cref="MaxCandidates"/> of them, with their rank, tags
/// and year; counts, facets and the order of the page are made from them in memory, and one more query reads the
/// page's titles and snippets. A word in nearly every article ("kommunen" in 88,000 of 100,000) would otherwise have
/// PostgreSQL rank, count and facet every match: measured 2-3.5 s for each of those queries.
/// </remarks>
public sealed class SearchQuery(ContentReader reader, SearchText text)
{
    /// <summary>The newest hits of each type that are ranked, counted and faceted.</summary>
    public const int MaxCandidates = 1_000;

    private readonly string _q = text.Query;
    private readonly string? _rest = text.Rest, _prefix = text.Prefix;

    /// <summary>A hit before its details are read: which item, how well it matches, and what facets count.</summary>
    public sealed record Hit(string Type, Guid Id, bool Exact, float Rank, DateTimeOffset? PublishedAt, int? Year, List<string> Tags);

    /// <summary>Items the search matches: exact or unaccented.</summary>
    public IQueryable<T> Matching<T>(IQueryable<T> set) where T : class, IVersioned =>
        set.Where(x => Vector(x.Id).Matches(ExactQuery(_q, _rest, _prefix)) || LooseVector(x.Id).Matches(LooseQuery(_q, _rest, _prefix)));

    /// <summary>The newest matching articles (with the tag, of the year), ranked.</summary>
    public async Task<List<Hit>> ArticlesAsync(string? tag, int? year, CancellationToken ct)
    {
        var query = Matching(reader.Articles);
        if (tag is not null)
            query = query.Where(a => a.Tags.Contains(tag));
        if (year is { } y)
        {
            var (from, to) = (new DateTimeOffset(y, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(y + 1, 1, 1, 0, 0, 0, TimeSpan.Zero));
            query = query.Where(a => a.PublishedAt >= from && a.PublishedAt < to);
        }
        // A word in fewer than MaxCandidates articles: rank exactly those (found through the search indexes).
        if (await FewMatchesAsync(query.Select(a => a.Id), ct) is { } few)
            query = reader.Articles.Where(a => few.Contains(a.Id));
        return await query.OrderByDescending(a => a.PublishedAt).ThenByDescending(a => a.Id).Take(MaxCandidates)
            .Select(a => new Hit("article", a.Id, Vector(a.Id).Matches(ExactQuery(_q, _rest, _prefix)),
                Vector(a.Id).Matches(ExactQuery(_q, _rest, _prefix))
                    ? Vector(a.Id).Rank(ExactQuery(_q, _rest, _prefix))
                    : LooseVector(a.Id).Rank(LooseQuery(_q, _rest, _prefix)),
                a.PublishedAt, null, a.Tags))
            .ToListAsync(ct);
    }

    /// <summary>
    /// The ids matched when there are at most <see cref="MaxCandidates"/>, else null. Read from the search indexes alone
    /// (bitmap scans; no walk of the articles newest first, no scan of the table): for a rare word or one that matches
    /// nothing, PostgreSQL's estimate of how many rows match is often far too high, and it then chose to walk every
    /// published article newest first, testing each one's vectors (1-2.6 s at 100,000 articles for a word with no hit).
    /// </summary>
    private async Task<List<Guid>?> FewMatchesAsync(IQueryable<Guid> matching, CancellationToken ct)
    {
        await using var transaction = await reader.Db.Database.BeginTransactionAsync(ct);
        await reader.Db.Database.ExecuteSqlRawAsync("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off", ct);
        var ids = await matching.Take(MaxCandidates + 1).ToListAsync(ct);
        await transaction.CommitAsync(ct);
        return ids.Count <= MaxCandidates ? ids : null;
    }

    /// <summary>The matching pledges (of the year), ranked. Pledges have no tags: a search with a tag finds none.</summary>
    public async Task<List<Hit>> PledgesAsync(string? tag, int? year, CancellationToken ct)
    {
        if (tag is not null)
            return [];
        var query = Matching(reader.Pledges);
        if (year is { } y)
            query = query.Where(p => p.Year == y);
        return await query.OrderByDescending(p => p.Year).Take(MaxCandidates)
            .Select(p => new Hit("pledge", p.Id, Vector(p.Id).Matches(ExactQuery(_q, _rest, _prefix)),
                Vector(p.Id).Matches(ExactQuery(_q, _rest, _prefix))
                    ? Vector(p.Id).Rank(ExactQuery(_q, _rest, _prefix))
                    : LooseVector(p.Id).Rank(LooseQuery(_q, _rest, _prefix)),
                p.PublishedAt, p.Year, new List<string>()))
            .ToListAsync(ct);
    }

    /// <summary>The page's articles with their snippets.</summary>
    public Task<Dictionary<Guid, SearchResultDto>> ArticleDetailsAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct) =>
        reader.Articles.Where(a => ids.Contains(a.Id))
            .Select(a => new { a.Id, a.Title, a.Slug, a.PublishedAt, a.Tags, Snippet = Headline(ArticleText(a.Id), LooseQuery(_q, _rest, _prefix)) })
            .ToDictionaryAsync(a => a.Id, a => new SearchResultDto("article", a.Id, a.Title, a.Slug, a.PublishedAt?.Year, a.PublishedAt, a.Tags,
                Snippet.ToHtml(a.Snippet), 0, $"{ContentRoutes.Articles}/by-slug/{a.Slug}"), ct);

    /// <summary>The page's pledges with their snippets.</summary>
    public Task<Dictionary<Guid, SearchResultDto>> PledgeDetailsAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct) =>
        reader.Pledges.Where(p => ids.Contains(p.Id))
            .Select(p => new { p.Id, p.Title, p.Year, p.PublishedAt, Snippet = Headline(PledgeText(p.Id), LooseQuery(_q, _rest, _prefix)) })
            .ToDictionaryAsync(p => p.Id, p => new SearchResultDto("pledge", p.Id, p.Title, null, p.Year, p.PublishedAt, [],
                Snippet.ToHtml(p.Snippet), 0, $"{ContentRoutes.Pledges}/by-year/{p.Year}"), ct);

    /// <summary>
    /// "Did you mean": each word replaced by the most similar word of a title this caller may see (pg_trgm, served by
    /// the trigram index on titles); null when no word has a better one.
    /// </summary>
    public async Task<string?> SuggestAsync(CancellationToken ct)
    {
        var replacements = new Dictionary<string, string>();
        foreach (var word in text.SuggestableWords())
        {
            var better = await reader.Articles.Where(a => WordLike(word, a.Title)).OrderByDescending(a => WordSimilarity(word, a.Title))
                .Select(a => SimilarWord(word, a.Title)).FirstOrDefaultAsync(ct)
                ?? await reader.Pledges.Where(p => WordLike(word, p.Title)).OrderByDescending(p => WordSimilarity(word, p.Title))
                    .Select(p => SimilarWord(word, p.Title)).FirstOrDefaultAsync(ct);
            if (better is not null && !better.Equals(word, StringComparison.OrdinalIgnoreCase))
                replacements[word] = better;
        }
        return replacements.Count == 0 ? null : text.With(replacements);
    }
}
