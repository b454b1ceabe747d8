using System.Linq.Expressions;
using ContentApi.Api.Reading;
using ContentApi.Domain;
using Microsoft.EntityFrameworkCore;
using ContentApi.Infrastructure.Search;
using static ContentApi.Infrastructure.Search.SearchFunctions;

namespace ContentApi.Api.Search;

/// <summary>
/// Search over the sets of the one reader (<see cref="ContentReader"/>): anonymous callers search what the delivery face
/// shows, editors the preview face (drafts and pending versions); the rule of who sees what is the reader's, not ours.
/// A hit matches the Swedish vector, or the unaccented one (a query without å, ä, ö); exact matches rank first.
/// </summary>
/// <remarks>
/// The vectors live in a narrow table of their own (<see cref="Infrastructure.Search.SearchDocument"/>), joined to the
/// reader's set. One query per type reads the newest hits, at most <see cref="MaxCandidates"/> of them, with their
/// rank, tags and year; counts, facets and the order of the page are made from them in memory, and one more query reads
/// the page's titles and snippets. A word in nearly every article ("kommunen" in 93,000 of 100,000) would otherwise have
/// PostgreSQL rank, count and facet every match (measured: 2-3.5 s for each of those queries). A probe of the newest
/// documents bounds how far back the hits are read (<see cref="BoundAsync"/>): a common word walks the newest documents,
/// a rarer one or a phrase asks the search indexes for the matches among them, a word the probe does not find asks the
/// indexes for every match.
/// </remarks>
public sealed class SearchQuery(ContentReader reader, SearchText text)
{
    /// <summary>The newest hits of each type that are ranked, counted and faceted.</summary>
    public const int MaxCandidates = 500;

    private readonly string _q = text.Query;
    private readonly string? _rest = text.Rest, _prefix = text.Prefix;

    /// <summary>A hit before its details are read: which item, how well it matches, and what facets count.</summary>
    public sealed record Hit(string Type, Guid Id, bool Exact, float Rank, DateTimeOffset? PublishedAt, int? Year, List<string> Tags);

    /// <summary>Whether a search document matches this search, exactly or unaccented.</summary>
    private Expression<Func<SearchDocument, bool>> Matching =>
        d => d.Vector.Matches(ExactQuery(_q, _rest, _prefix)) || d.LooseVector.Matches(LooseQuery(_q, _rest, _prefix));

    /// <summary>The search documents this search matches.</summary>
    private IQueryable<SearchDocument> Documents() => reader.SearchDocuments.Where(Matching);

    /// <summary>
    /// Runs the search's reads in one transaction whose statements PostgreSQL plans for the words searched
    /// (plan_cache_mode force_custom_plan: a prepared statement's generic plan knows neither how common the words are
    /// nor the query, and would parse it again for every row), without parallel workers (starting two for a walk of a
    /// few thousand rows cost more than the walk: 140 ms instead of 25 ms per search at 100,000 articles).
    /// </summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> read, CancellationToken ct)
    {
        await using var transaction = await reader.Db.Database.BeginTransactionAsync(ct);
        await reader.Db.Database.ExecuteSqlRawAsync(
            "SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL max_parallel_workers_per_gather = 0", ct);
        var result = await read();
        await transaction.CommitAsync(ct);
        return result;
    }

    /// <summary>A type's hits: the newest <see cref="MaxCandidates"/> matches, and whether more match.</summary>
    public sealed record Hits(List<Hit> Items, bool More)
    {
        /// <summary>Hits from a read of one more than <see cref="MaxCandidates"/>.</summary>
        public static Hits Of(List<Hit> read) =>
            read.Count > MaxCandidates ? new(read[..MaxCandidates], true) : new(read, false);
    }

    /// <summary>The newest matching articles (with the tag, of the year), ranked.</summary>
    public async Task<Hits> ArticlesAsync(string? tag, int? year, CancellationToken ct)
    {
        var articles = reader.Articles;
        var documents = Documents();
        if (tag is not null)
            articles = articles.Where(a => a.Tags.Contains(tag));
        if (year is { } y)
        {
            var (from, to) = (new DateTimeOffset(y, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(y + 1, 1, 1, 0, 0, 0, TimeSpan.Zero));
            // Published in the year: the documents' order is the publication time then, so the walk starts in the year.
            articles = articles.Where(a => a.PublishedAt >= from && a.PublishedAt < to);
            documents = documents.Where(d => d.SortAt >= from && d.SortAt < to);
        }
        if (tag is null && year is null && await BoundAsync(articles.Select(a => a.Id), ct) is { } bound)
        {
            // Only the newest documents, as far as the probe expects the wanted hits to be; fewer visible hits there
            // than wanted (a word common only lately): PostgreSQL chooses again, unbounded.
            if (bound.Walk)
                await reader.Db.Database.ExecuteSqlRawAsync("SET LOCAL enable_bitmapscan = off", ct);
            var newest = await Ranked(documents.Where(d => d.SortAt >= bound.From), articles).ToListAsync(ct);
            if (bound.Walk)
                await reader.Db.Database.ExecuteSqlRawAsync("SET LOCAL enable_bitmapscan TO DEFAULT", ct);
            if (newest.Count > MaxCandidates)
                return Hits.Of(newest);
        }
        return Hits.Of(await Ranked(documents, articles).ToListAsync(ct));
    }

    /// <summary>The newest <see cref="MaxCandidates"/> (and one more) matching documents of articles the caller sees, ranked.</summary>
    private IQueryable<Hit> Ranked(IQueryable<SearchDocument> documents, IQueryable<Article> articles) =>
        documents.Join(articles, d => d.Id, a => a.Id, (d, a) => new { d, a })
            .OrderByDescending(x => x.d.SortAt).ThenByDescending(x => x.d.Id).Take(MaxCandidates + 1)
            .Select(x => new Hit("article", x.a.Id, x.d.Vector.Matches(ExactQuery(_q, _rest, _prefix)),
                x.d.Vector.Matches(ExactQuery(_q, _rest, _prefix))
                    ? x.d.Vector.Rank(ExactQuery(_q, _rest, _prefix))
                    : x.d.LooseVector.Rank(LooseQuery(_q, _rest, _prefix)),
                x.a.PublishedAt, null, x.a.Tags));

    /// <summary>The newest documents a probe tests to see how common the search is.</summary>
    public const int ProbeSize = 2_000;

    /// <summary>The search documents newest first (index on sort_at and id).</summary>
    private static IOrderedQueryable<SearchDocument> Newest(ContentReader reader) =>
        reader.SearchDocuments.OrderByDescending(d => d.SortAt).ThenByDescending(d => d.Id);

    /// <summary>A probe that counts this many hits stops there: a search so common lately walks (<see cref="BoundAsync"/>).</summary>
    public const int CommonProbed = MaxCandidates / 2;

    /// <summary>
    /// How many of the newest <see cref="ProbeSize"/> documents match and are of items the caller sees (of
    /// <paramref name="visible"/>, ids from the one reader's set), at most <see cref="CommonProbed"/>: how common a
    /// search is lately. Only visible ones count, so that what the plan becomes, and how long it takes, says nothing of
    /// drafts; each hit is looked up in the caller's set, which for a word in nearly every document would be 2,000
    /// lookups without the stop (kommunen: 46 ms instead of 21 ms a search at p50 on the benchmark's core).
    /// </summary>
    public static Task<int> ProbeAsync(ContentReader reader, Expression<Func<SearchDocument, bool>> matching,
        IQueryable<Guid> visible, CancellationToken ct) =>
        Newest(reader).Take(ProbeSize).Where(matching).Where(d => visible.Contains(d.Id)).Take(CommonProbed).CountAsync(ct);

    /// <summary>How far back the newest hits are expected to be, and whether to walk there.</summary>
    /// <param name="From">The oldest <see cref="SearchDocument.SortAt"/> read.</param>
    /// <param name="Walk">Walk the documents newest first (testing each) rather than ask the search indexes which of
    /// them match.</param>
    private sealed record Bound(DateTimeOffset From, bool Walk);

    /// <summary>
    /// Where the newest <see cref="MaxCandidates"/> hits are expected to be, from how many of the newest
    /// <see cref="ProbeSize"/> documents are visible hits (<see cref="ProbeAsync"/>, about 2 ms), with a quarter more
    /// room and 200 documents; null when the probe finds none or the room is every document (as PostgreSQL last counted
    /// them): PostgreSQL then chooses, unbounded. Bounded, PostgreSQL reads only the matches among the newest documents:
    /// measured at 100,000 articles, "öppet hus" (8,262 matches) took 50 ms through the indexes unbounded and 12 ms
    /// bounded to the newest 16,000. A walk newest first is chosen when it tests few documents (the probe counted
    /// <see cref="CommonProbed"/>: the hits expected within 4,000 documents, or nearer): "kommunen" walks 1,075 documents in 3 ms, where asking the indexes
    /// reads the 93,000 matches' entries (20 ms). PostgreSQL's own estimate comes from its statistics of single words and
    /// takes the words of a phrase to be independent ("öppet hus", in 8 % of the articles, it expected in 0.7 %).
    /// </summary>
    private async Task<Bound?> BoundAsync(IQueryable<Guid> visible, CancellationToken ct)
    {
        var probed = await ProbeAsync(reader, Matching, visible, ct);
        if (probed == 0)
            return null;
        var expected = (double)MaxCandidates * ProbeSize / probed;
        var far = expected * 1.25 + ProbeSize / 10;
        var documents = await reader.Db.Database
            .SqlQueryRaw<double>("SELECT reltuples::float8 AS \"Value\" FROM pg_class WHERE oid = 'search_documents'::regclass").SingleAsync(ct);
        if (far >= documents)
            return null;
        var from = await Newest(reader).Skip((int)far).Select(d => (DateTimeOffset?)d.SortAt).FirstOrDefaultAsync(ct);
        return from is { } f ? new Bound(f, Walk: probed >= CommonProbed) : null;
    }

    /// <summary>The matching pledges (of the year), ranked. Pledges have no tags: a search with a tag finds none.</summary>
    public async Task<Hits> PledgesAsync(string? tag, int? year, CancellationToken ct)
    {
        if (tag is not null)
            return new([], false);
        var pledges = reader.Pledges;
        if (year is { } y)
            pledges = pledges.Where(p => p.Year == y);
        return Hits.Of(await Documents().Join(pledges, d => d.Id, p => p.Id, (d, p) => new { d, p })
            .OrderByDescending(x => x.p.Year).Take(MaxCandidates + 1)
            .Select(x => new Hit("pledge", x.p.Id, x.d.Vector.Matches(ExactQuery(_q, _rest, _prefix)),
                x.d.Vector.Matches(ExactQuery(_q, _rest, _prefix))
                    ? x.d.Vector.Rank(ExactQuery(_q, _rest, _prefix))
                    : x.d.LooseVector.Rank(LooseQuery(_q, _rest, _prefix)),
                x.p.PublishedAt, x.p.Year, new List<string>()))
            .ToListAsync(ct));
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
