using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ContentApi.Api.Search;

/// <summary>
/// What a reader typed, checked: websearch_to_tsquery reads it ("a phrase", -word, or); when it ends in a word being
/// typed (not quoted, not excluded), that word is also matched as a prefix (search as you type).
/// </summary>
public sealed partial record SearchText(string Query, string? Rest, string? Prefix)
{
    public const int MaxLength = 200;

    [GeneratedRegex(@"(?:^|\s)([\p{L}\p{N}]+)$")]
    private static partial Regex LastWord();

    [GeneratedRegex(@"[\p{L}\p{N}]{3,}")]
    private static partial Regex Words();

    public static SearchText Parse(string q)
    {
        var query = q.Trim();
        var last = LastWord().Match(query);
        if (!last.Success || last.Groups[1].Value.Equals("or", StringComparison.OrdinalIgnoreCase))
            return new(query, null, null);
        var rest = query[..last.Groups[1].Index];
        // Inside an open quote the word belongs to a phrase.
        return rest.Count(c => c == '"') % 2 == 1 ? new(query, null, null) : new(query, rest, last.Groups[1].Value);
    }

    /// <summary>The words a "did you mean" may replace (at most five).</summary>
    public IEnumerable<string> SuggestableWords() =>
        Words().Matches(Query).Select(m => m.Value).Where(w => !w.Equals("or", StringComparison.OrdinalIgnoreCase)).Distinct().Take(5);

    /// <summary>The query with words replaced.</summary>
    public string With(IReadOnlyDictionary<string, string> replacements) =>
        Words().Replace(Query, m => replacements.TryGetValue(m.Value, out var better) ? better : m.Value);

    /// <summary>Checks the parameters; a validation problem that says what is wrong, or null.</summary>
    public static ValidationProblem? Validate(string? q, string? type, string? tag, int? year, int page, int pageSize)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(q))
            errors["q"] = ["q is the search text and may not be empty, e.g. ?q=trygghet or ?q=\"tidig upptäckt\" -polisen."];
        else if (q.Length > MaxLength)
            errors["q"] = [$"q may be at most {MaxLength} characters (got {q.Length})."];
        else if (q.Any(char.IsControl) || q.Any(char.IsSurrogate) && !IsWellFormed(q))
            errors["q"] = ["q may not contain control characters or broken UTF-16."];
        if (type is not null && SearchEndpoints.TypeOf(type) is null)
            errors["type"] = [$"type is article or pledge (got '{Shorten(type)}'); leave it out for both."];
        if (tag is not null && (string.IsNullOrWhiteSpace(tag) || tag.Length > Domain.Article.TagMaxLength || tag.Any(char.IsControl)))
            errors["tag"] = [$"A tag is 1 to {Domain.Article.TagMaxLength} characters of text, e.g. trygghet."];
        if (year is < Domain.Pledge.MinYear or > Domain.Pledge.MaxYear)
            errors["year"] = [$"year must be between {Domain.Pledge.MinYear} and {Domain.Pledge.MaxYear} (got {year})."];
        if (page < 1)
            errors["page"] = [$"page must be 1 or more (got {page})."];
        if (pageSize is < 1 or > SearchEndpoints.MaxPageSize)
            errors["pageSize"] = [$"pageSize must be between 1 and {SearchEndpoints.MaxPageSize} (got {pageSize})."];
        else if (page >= 1 && (long)page * pageSize > SearchEndpoints.MaxResults)
            errors["page"] = [$"Search shows the best {SearchEndpoints.MaxResults} results (page × pageSize at most {SearchEndpoints.MaxResults}); narrow the search with more words, type, tag or year."];
        return errors.Count == 0 ? null : TypedResults.ValidationProblem(errors, detail: string.Join(" ", errors.Values.SelectMany(e => e)));
    }

    private static bool IsWellFormed(string text)
    {
        try
        {
            _ = new UTF8Encoding(false, true).GetByteCount(text);
            return true;
        }
        catch (EncoderFallbackException)
        {
            return false;
        }
    }

    private static string Shorten(string text) => text.Length <= 20 ? text : text[..20] + "…";
}
