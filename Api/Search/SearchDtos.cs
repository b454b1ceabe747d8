namespace ContentApi.Api.Search;

/// <summary>One result: an article or a pledge, with a snippet of its text where the hits are marked.</summary>
/// <param name="Type">article or pledge.</param>
/// <param name="Id">The article's or pledge's id.</param>
/// <param name="Title">The title, as plain text.</param>
/// <param name="Slug">An article's slug (null for a pledge).</param>
/// <param name="Year">A pledge's year, or the year an article was published.</param>
/// <param name="PublishedAt">When it was published (null for a draft an editor sees).</param>
/// <param name="Tags">An article's tags (empty for a pledge).</param>
/// <param name="Snippet">HTML-escaped text with the hits in &lt;mark&gt;…&lt;/mark&gt;: safe to put in HTML as it is.</param>
/// <param name="Score">Relevance, higher first; exact matches rank above matches without å, ä, ö.</param>
/// <param name="Url">Where the whole item is read in this API.</param>
public record SearchResultDto(string Type, Guid Id, string Title, string? Slug, int? Year, DateTimeOffset? PublishedAt,
    List<string> Tags, string Snippet, double Score, string Url);

/// <summary>How many results have a value (tag, year or type) for this search.</summary>
public record FacetDto<T>(T Value, int Count);

/// <summary>Facet counts of the results (with the filters asked for): by type, by tag (the 20 most frequent), by year.</summary>
public record SearchFacetsDto(List<FacetDto<string>> Types, List<FacetDto<string>> Tags, List<FacetDto<int>> Years);

/// <summary>A page of results, best first.</summary>
/// <param name="Query">The search text as read.</param>
/// <param name="Items">This page's results.</param>
/// <param name="Page">The page number, from 1.</param>
/// <param name="PageSize">Results per page.</param>
/// <param name="TotalCount">How many items match (of the types asked for); with moreMatches, how many were ranked.</param>
/// <param name="MoreMatches">True when more items match than the newest 500 of a type, which alone are ranked, counted
/// and faceted: add a word, a tag or a year to narrow the search.</param>
/// <param name="NextPage">The next page's address, or null on the last page.</param>
/// <param name="Facets">Counts by type, tag and year.</param>
/// <param name="DidYouMean">When nothing matched: the search with its words replaced by similar words that do occur in titles; else null.</param>
public record SearchAnswerDto(string Query, List<SearchResultDto> Items, int Page, int PageSize, int TotalCount, bool MoreMatches, string? NextPage,
    SearchFacetsDto Facets, string? DidYouMean);
