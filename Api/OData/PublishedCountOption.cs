using ContentApi.Api.Reading;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using Microsoft.AspNetCore.OData.Extensions;
using Microsoft.AspNetCore.OData.Query;
using Microsoft.OData.UriParser;

namespace ContentApi.Api.OData;

/// <summary>
/// <c>$count=true</c> (and <c>/$count</c>) for anonymous readers from the counts the saving transaction keeps
/// (<see cref="PublishedCounts"/>), when the count asked for is one of them: all published articles or pledges (no
/// $filter), or the published articles with one tag (<c>$filter=tags/any(t:t eq 'trafik')</c>, exactly that shape).
/// Every other count, and every editor's, is counted by PostgreSQL (and kept by the count cache) as before.
/// </summary>
/// <remarks>
/// The hook is Microsoft.AspNetCore.OData's own: <c>ODataQueryOptions.ApplyTo</c> counts through
/// <c>ODataFeature().TotalCountFunc</c> and makes one only when none is set, so one set before the query is applied
/// answers $count. Only for a request to the entity set itself (not a key, not a navigation), whose controller hands
/// OData the reader's set unfiltered (ArticlesController, PledgesController).
/// </remarks>
public static class PublishedCountOption
{
    public static void Offer(IQueryable queryable, ODataQueryOptions options)
    {
        var feature = options.Request.ODataFeature();
        if (feature.TotalCountFunc is not null || feature.Path is not { } path
            || path.FirstSegment is not EntitySetSegment || !(path.Count == 1 || path is { Count: 2, LastSegment: CountSegment })
            // Only when a count is asked for: the function set is also what says there is one to write.
            || !(options.Count?.Value == true || path.LastSegment is CountSegment)
            // $apply=groupby counts groups, and its filter() narrows what is counted; $search narrows it too.
            || options.Apply is not null || options.Search is not null)
            return;
        var reader = ContentReader.For(options.Request.HttpContext);
        string? tag = null;
        string contentType;
        if (queryable.ElementType == typeof(Article))
        {
            contentType = PublishedCount.Articles;
            if (options.Filter is { } filter && (tag = OneTag(filter.FilterClause)) is null)
                return;
        }
        else if (queryable.ElementType == typeof(Pledge) && options.Filter is null)
            contentType = PublishedCount.Pledges;
        else
            return;
        if (reader.Preview)
            return;
        var pending = new PendingCount(reader, contentType, tag);
        options.Request.HttpContext.Items[typeof(PendingCount)] = pending;
        // [EnableQuery] asks for the count of /$count before the query is read; ReadAsync then sets the real one.
        feature.TotalCountFunc = () => pending.Value ?? 0;
    }

    /// <summary>Reads the count offered, if one was, and gives it to OData (asynchronously, after OData's own steps).</summary>
    public static async Task ReadAsync(HttpContext context, CancellationToken ct)
    {
        if (context.Items[typeof(PendingCount)] is not PendingCount pending)
            return;
        pending.Value = await PublishedCounts.CountAsync(pending.Reader, pending.ContentType, pending.Tag, ct);
        context.ODataFeature().TotalCount = pending.Value;
    }

    /// <summary>Forgets a count offered for the request (see <see cref="DeferredQuery.Forget"/>).</summary>
    public static void Forget(HttpContext context) => context.Items.Remove(typeof(PendingCount));

    private sealed record PendingCount(ContentReader Reader, string ContentType, string? Tag)
    {
        public long? Value { get; set; }
    }

    /// <summary>The tag of <c>tags/any(t:t eq 'literal')</c>, or null when the filter is anything else.</summary>
    private static string? OneTag(FilterClause filter) =>
        filter.Expression is AnyNode
        {
            Source: CollectionPropertyAccessNode { Property.Name: "tags", Source: ResourceRangeVariableReferenceNode },
            Body: BinaryOperatorNode { OperatorKind: BinaryOperatorKind.Equal } equal,
        } any
        && Unwrap(equal.Left) is NonResourceRangeVariableReferenceNode variable && variable.Name == any.CurrentRangeVariable.Name
        && Unwrap(equal.Right) is ConstantNode { Value: string { Length: > 0 } tag }
            ? tag
            : null;

    private static SingleValueNode Unwrap(SingleValueNode node) => node is ConvertNode convert ? Unwrap(convert.Source) : node;
}
