using Microsoft.AspNetCore.OData.Formatter.Serialization;
using Microsoft.AspNetCore.OData.Query;
using Microsoft.OData.UriParser;

namespace ContentApi.Api.OData;

/// <summary>
/// A page's <c>@odata.nextLink</c> continues after its last item (<c>$skiptoken=id-…</c>) instead of counting items
/// (<c>$skip=n</c>): PostgreSQL then seeks in an index rather than stepping over every earlier row, so an integrator
/// reading all 100 000 articles page by page (Power BI does) waits seconds instead of minutes, and an article published
/// or unpublished meanwhile neither repeats nor hides another.
/// </summary>
/// <remarks>
/// Only for orders by non-nullable properties. OData's $skiptoken compares as C# does (null before every value), while
/// PostgreSQL sorts nulls after every value: continuing <c>$orderby=publishedAt desc</c> after a draft (no publishedAt)
/// would end the list there. Such orders get <c>$skip</c> links, and a <c>$skiptoken</c> for them is refused.
/// </remarks>
public sealed class NextLinks : DefaultSkipTokenHandler
{
    public override Uri GenerateNextPageLink(Uri baseUri, int pageSize, object instance, ODataSerializerContext context) =>
        // Without an item to continue after, OData writes a $skip link.
        base.GenerateNextPageLink(baseUri, pageSize, OrdersByNullable(context?.QueryOptions?.OrderBy) ? null! : instance, context);

    /// <summary>Whether the order has a property that can be null (the key, which OData adds last, cannot).</summary>
    public static bool OrdersByNullable(OrderByQueryOption? orderBy)
    {
        for (var clause = orderBy?.OrderByClause; clause is not null; clause = clause.ThenBy)
            if (clause.Expression.TypeReference is not { IsNullable: false })
                return true;
        return false;
    }
}
