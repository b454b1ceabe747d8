using NpgsqlTypes;

namespace ContentApi.Infrastructure.Search;

/// <summary>
/// The search vectors of one article or pledge (table <c>search_documents</c>, migration SearchDocuments), kept by
/// triggers on articles and pledges. A narrow table of its own: search walks it newest first and ranks from it without
/// reading the wide article rows, and ordinary reads of articles never carry the vectors. The preview face maps the
/// view <c>search_document_previews</c> (the vectors of the pending version when there is one). No visibility of its
/// own: search joins it to the one reader's sets (<c>ContentReader</c>), which decide what a caller may see.
/// </summary>
public sealed class SearchDocument
{
    /// <summary>The article's or pledge's id.</summary>
    public Guid Id { get; init; }

    /// <summary>
    /// The order search walks in, newest first: the article's or pledge's publication time, or its creation time while
    /// it has never been published (so that drafts take their place among the rest instead of coming first).
    /// </summary>
    public DateTimeOffset SortAt { get; init; }

    /// <summary>Swedish (<see cref="SearchFunctions.Exact"/>): title A; lead, summary and tags B; body C.</summary>
    public NpgsqlTsVector Vector { get; init; } = null!;

    /// <summary>The same after unaccent (<see cref="SearchFunctions.Loose"/>): what a query without å, ä, ö finds.</summary>
    public NpgsqlTsVector LooseVector { get; init; } = null!;
}
