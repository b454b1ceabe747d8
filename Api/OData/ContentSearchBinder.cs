using System.Linq.Expressions;
using System.Reflection;
using ContentApi.Api.Reading;
using ContentApi.Api.Search;
using ContentApi.Domain;
using ContentApi.Infrastructure.Search;
using Microsoft.AspNetCore.OData.Query.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.OData;
using Microsoft.OData.UriParser;
using NpgsqlTypes;

namespace ContentApi.Api.OData;

/// <summary>
/// OData <c>$search</c> on Articles and Pledges, with the search of <c>/api/search</c> (Swedish stemming, unaccented
/// matches, the same vectors): <c>$search=trygghet</c>, <c>$search="tidig upptäckt"</c>,
/// <c>$search=trafik AND NOT polisen</c>, <c>$search=skola OR förskola</c>. It filters the set the controller hands
/// OData (the one reader's), so what is found is what the caller may see; $filter, $orderby, $count and paging apply
/// as usual (results are not ranked: /api/search ranks).
/// </summary>
public sealed class ContentSearchBinder : ISearchBinder
{
    public const int MaxTerms = 10;
    public const int MaxLength = 200;

    private static readonly MethodInfo Exact = typeof(SearchFunctions).GetMethod(nameof(SearchFunctions.ExactQuery))!;
    private static readonly MethodInfo Loose = typeof(SearchFunctions).GetMethod(nameof(SearchFunctions.LooseQuery))!;
    private static readonly MethodInfo TsMatches = typeof(NpgsqlFullTextSearchLinqExtensions)
        .GetMethod(nameof(NpgsqlFullTextSearchLinqExtensions.Matches), [typeof(NpgsqlTsVector), typeof(NpgsqlTsQuery)])!;
    private static readonly MethodInfo And = typeof(NpgsqlFullTextSearchLinqExtensions).GetMethod(nameof(NpgsqlFullTextSearchLinqExtensions.And))!;
    private static readonly MethodInfo Or = typeof(NpgsqlFullTextSearchLinqExtensions).GetMethod(nameof(NpgsqlFullTextSearchLinqExtensions.Or))!;
    private static readonly MethodInfo Not = typeof(NpgsqlFullTextSearchLinqExtensions).GetMethod(nameof(NpgsqlFullTextSearchLinqExtensions.ToNegative))!;

    public Expression BindSearch(SearchClause searchClause, QueryBinderContext context)
    {
        var type = context.ElementClrType;
        if (type != typeof(Article) && type != typeof(Pledge))
            throw new ODataException("$search is offered on Articles and Pledges, and not with $apply (narrow the set inside $apply with filter(…)).");
        // The set was filtered before OData applied its options (Filter, from ContentQueryAttribute.ApplyQuery).
        var item = Expression.Parameter(type, "$it");
        return Expression.Lambda(Expression.Constant(true), item);
    }

    /// <summary>At most this many matches are read by id before the query (<see cref="FewMatchesAsync"/>).</summary>
    public const int FewMatches = 1_000;

    /// <summary>
    /// The ids of the items the caller sees (<paramref name="visible"/>, from the one reader's set) that the search
    /// matches, when none of the newest documents is such a hit (<see cref="SearchQuery.ProbeAsync"/>, about 2 ms) and
    /// there are at most <see cref="FewMatches"/> of them (read through the search indexes: about 1 ms for a word that
    /// matches nothing); null otherwise. PostgreSQL's estimate of how many documents a word outside its statistics
    /// matches is "about 1,000", so for a word that matches nothing it walked the articles in id order testing each for
    /// the first page (175-200 ms at 100,000 articles); given the ids, it looks up only those. A search that the newest
    /// documents match is common enough for its estimate (reading its ids first cost 10 ms for a word in 8 % of the
    /// articles). Both choices are made from what the caller sees, so that how long a search takes says nothing of drafts.
    /// </summary>
    public static async Task<List<Guid>?> FewMatchesAsync(SearchClause clause, ContentReader reader, IQueryable<Guid> visible,
        CancellationToken ct)
    {
        var matching = Matching(clause);
        if (await SearchQuery.ProbeAsync(reader, matching, visible, ct) > 0)
            return null;
        var ids = await reader.SearchDocuments.Where(matching).Join(visible, d => d.Id, id => id, (d, id) => id)
            .Take(FewMatches + 1).ToListAsync(ct);
        return ids.Count <= FewMatches ? ids : null;
    }

    /// <summary>
    /// The items of the set whose search document (of the caller's face, <see cref="ContentReader.SearchDocuments"/>)
    /// matches: the few ids read before (<see cref="FewMatchesAsync"/>), or
    /// <c>id IN (SELECT id FROM search_documents WHERE vector @@ … OR vector_unaccent @@ …)</c>, which PostgreSQL joins
    /// as it sees fit (for a common word: the set in the order asked, each tested, until the page is full), where a test
    /// per row walked every article for a word that matches nothing (0.53 s at 100,000 articles).
    /// </summary>
    public static IQueryable<T> Filter<T>(IQueryable<T> set, SearchClause clause, ContentReader reader, List<Guid>? few)
        where T : class, IVersioned
    {
        if (few is not null)
            return set.Where(x => few.Contains(x.Id));
        var ids = reader.SearchDocuments.Where(Matching(clause)).Select(d => d.Id);
        return set.Where(x => ids.Contains(x.Id));
    }

    /// <summary>Whether a search document matches the clause, exactly or unaccented.</summary>
    private static Expression<Func<SearchDocument, bool>> Matching(SearchClause clause)
    {
        var document = Expression.Parameter(typeof(SearchDocument), "d");
        return Expression.Lambda<Func<SearchDocument, bool>>(Expression.OrElse(
            Expression.Call(TsMatches, Expression.Property(document, nameof(SearchDocument.Vector)), Query(clause.Expression, Exact)),
            Expression.Call(TsMatches, Expression.Property(document, nameof(SearchDocument.LooseVector)), Query(clause.Expression, Loose))),
            document);
    }

    /// <summary>Checks the cost of a $search before it runs: its length and number of terms.</summary>
    public static void Validate(string? raw, SearchClause? clause)
    {
        if (raw is null || clause is null)
            return;
        if (raw.Length > MaxLength)
            throw new ODataException($"$search may be at most {MaxLength} characters (got {raw.Length}).");
        if (Terms(clause.Expression) > MaxTerms)
            throw new ODataException($"$search may have at most {MaxTerms} terms.");
    }

    private static int Terms(QueryNode node) => node switch
    {
        BinaryOperatorNode binary => Terms(binary.Left) + Terms(binary.Right),
        UnaryOperatorNode unary => Terms(unary.Operand),
        _ => 1,
    };

    /// <summary>The search expression as a tsquery: each term (a word or a "phrase") through websearch_to_tsquery, joined
    /// with &amp;&amp;, || and !! as OData joined them.</summary>
    private static Expression Query(QueryNode node, MethodInfo config) => node switch
    {
        SearchTermNode term => Expression.Call(config, Expression.Constant(Phrase(term.Text)),
            Expression.Constant(null, typeof(string)), Expression.Constant(null, typeof(string))),
        BinaryOperatorNode { OperatorKind: BinaryOperatorKind.And } both =>
            Expression.Call(And, Query(both.Left, config), Query(both.Right, config)),
        BinaryOperatorNode { OperatorKind: BinaryOperatorKind.Or } either =>
            Expression.Call(Or, Query(either.Left, config), Query(either.Right, config)),
        UnaryOperatorNode { OperatorKind: UnaryOperatorKind.Not } not => Expression.Call(Not, Query(not.Operand, config)),
        _ => throw new ODataException("$search takes words, \"phrases\", AND, OR, NOT and parentheses."),
    };

    /// <summary>A term as websearch_to_tsquery reads it: quoted, so its words are a phrase and nothing in it is syntax.</summary>
    private static string Phrase(string text) => "\"" + text.Replace("\"", " ") + "\"";
}
