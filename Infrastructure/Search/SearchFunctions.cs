using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query.SqlExpressions;
using Microsoft.EntityFrameworkCore.Storage;
using NpgsqlTypes;

#pragma warning disable EF1001 // Npgsql's type mappings of tsvector and tsquery live in an "Internal" namespace.
using Npgsql.EntityFrameworkCore.PostgreSQL.Storage.Internal.Mapping;

namespace ContentApi.Infrastructure.Search;

/// <summary>
/// The search functions of migrations Search and SearchDocuments, for LINQ over the one reader's sets and
/// <see cref="SearchDocument"/>. Called outside a query they throw.
/// </summary>
public static class SearchFunctions
{
    /// <summary>Text search configurations: Swedish, and Swedish after unaccent (what a query without å, ä, ö finds).</summary>
    public const string Exact = "content_swedish", Loose = "content_swedish_unaccent";


    /// <summary>
    /// A search text as a tsquery of <see cref="Exact"/>: websearch_to_tsquery, or with <paramref name="prefix"/>
    /// (the word being typed at its end) also <paramref name="rest"/> and that word as a prefix.
    /// </summary>
    public static NpgsqlTsQuery ExactQuery(string query, string? rest, string? prefix) => throw OnlyInQueries();

    /// <summary>As <see cref="ExactQuery"/>, with <see cref="Loose"/>.</summary>
    public static NpgsqlTsQuery LooseQuery(string query, string? rest, string? prefix) => throw OnlyInQueries();

    /// <summary>The article's lead and body as text (snippets are cut from it); the id names the row.</summary>
    public static string ArticleText(Guid id) => throw OnlyInQueries();

    /// <summary>The pledge's summary, priority areas, commitments and ongoing efforts as text.</summary>
    public static string PledgeText(Guid id) => throw OnlyInQueries();

    /// <summary>A snippet of the text with the query's hits between U+0002 and U+0003 (<see cref="Loose"/>, so hits
    /// typed without diacritics are marked too).</summary>
    public static string Headline(string document, NpgsqlTsQuery looseQuery) => throw OnlyInQueries();

    /// <summary>pg_trgm: the word is like a word of the title (word_similarity over the threshold; the index serves it).</summary>
    public static bool WordLike(string word, string title) => throw OnlyInQueries();

    /// <summary>pg_trgm: how like a word of the title the word is, 0 to 1.</summary>
    public static float WordSimilarity(string word, string title) => throw OnlyInQueries();

    /// <summary>The word of the title most like the word.</summary>
    public static string SimilarWord(string word, string title) => throw OnlyInQueries();

    private static InvalidOperationException OnlyInQueries() => new("A search function is translated to SQL; it runs only inside a query.");

    /// <summary>Maps the functions; every context (delivery and preview face) calls it from OnModelCreating.</summary>
    public static void Register(ModelBuilder model)
    {
        var query = NpgsqlTsQueryTypeMapping.Default;
        var text = new StringTypeMapping("text", System.Data.DbType.String);
        Map(model, nameof(ExactQuery), args => Function("search_query", [Config(Exact), .. args], typeof(NpgsqlTsQuery), query));
        Map(model, nameof(LooseQuery), args => Function("search_query", [Config(Loose), .. args], typeof(NpgsqlTsQuery), query));
        Map(model, nameof(ArticleText), args => Function("search_article_text",
            [Column(args[0], "lead", typeof(string), text), Column(args[0], "body", typeof(string), text)], typeof(string), text));
        Map(model, nameof(PledgeText), args => Function("search_pledge_text",
            [Column(args[0], "summary", typeof(string), text), Column(args[0], "priority_areas", typeof(string), text),
             Column(args[0], "ongoing_efforts", typeof(string), text)], typeof(string), text));
        Map(model, nameof(Headline), args => Function("search_headline", [Config(Loose), .. args], typeof(string), text));
        Map(model, nameof(WordLike), args => Function("search_word_like", args, typeof(bool), new BoolTypeMapping("boolean")));
        Map(model, nameof(WordSimilarity), args => Function("word_similarity", args, typeof(float), new FloatTypeMapping("real")));
        Map(model, nameof(SimilarWord), args => Function("search_similar_word", args, typeof(string), text));
    }

    private static void Map(ModelBuilder model, string name, Func<IReadOnlyList<SqlExpression>, SqlExpression> translation) =>
        model.HasDbFunction(typeof(SearchFunctions).GetMethod(name)!).HasTranslation(translation);

    private static SqlExpression Config(string name) => new SqlFragmentExpression($"'{name}'::regconfig");

    /// <summary>A column of the row the id was read from: the id must be a column of an article or pledge set.</summary>
    private static ColumnExpression Column(SqlExpression id, string name, Type type, RelationalTypeMapping mapping) =>
        id is ColumnExpression column
            ? new ColumnExpression(name, column.TableAlias, type, mapping, nullable: false)
            : throw new InvalidOperationException("Search functions take the id of an article or pledge as read from its set (a.Id).");

    private static SqlFunctionExpression Function(string name, IEnumerable<SqlExpression> args, Type type, RelationalTypeMapping mapping)
    {
        var arguments = args.ToList();
        return new SqlFunctionExpression(name, arguments, nullable: true, argumentsPropagateNullability: arguments.Select(_ => false),
            type, mapping);
    }
}
