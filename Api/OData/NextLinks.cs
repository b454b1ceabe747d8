using System.Linq.Expressions;
using System.Reflection;
using ContentApi.Domain;
using Microsoft.AspNetCore.OData.Formatter.Serialization;
using Microsoft.AspNetCore.OData.Query;
using Microsoft.AspNetCore.OData.Query.Container;
using Microsoft.AspNetCore.OData.Query.Expressions;
using Microsoft.OData.Edm;
using Microsoft.OData.UriParser;
using ContentApi.Api.Auth;

namespace ContentApi.Api.OData;

/// <summary>
/// A page's <c>@odata.nextLink</c> continues after its last item (<c>$skiptoken=id-…</c>) instead of counting items
/// (<c>$skip=n</c>): PostgreSQL then seeks in an index rather than stepping over every earlier row, so an integrator
/// reading all 100 000 articles page by page (Power BI does) waits seconds instead of minutes, and in key order (the
/// default) an article published or unpublished meanwhile neither repeats nor hides another.
/// </summary>
/// <remarks>
/// Only for orders by the entity's own properties that are never null in what the caller sees (<see cref="CanContinue"/>).
/// OData's $skiptoken compares as C# does (null before every value) while PostgreSQL sorts nulls after every value:
/// continuing an editor's <c>$orderby=publishedAt desc</c> after a draft (no publishedAt) would end the list there, and
/// an order through an optional navigation (<c>pledge/year</c>) has nulls too. Anonymous readers see published content
/// only, which always has a publishedAt (a check constraint holds it), so their newest-first walks get tokens. Other
/// orders get <c>$skip</c> links, and a <c>$skiptoken</c> for them is refused.
/// </remarks>
public sealed class NextLinks : DefaultSkipTokenHandler
{
    public override Uri GenerateNextPageLink(Uri baseUri, int pageSize, object instance, ODataSerializerContext context) =>
        // Without an item to continue after, OData writes a $skip link.
        base.GenerateNextPageLink(baseUri, pageSize,
            CanContinue(context?.QueryOptions?.OrderBy?.OrderByClause, context?.Request) ? instance : null!, context);

    /// <summary>Whether a $skiptoken can continue the order: each property is the entity's own and never null.</summary>
    public static bool CanContinue(OrderByClause? order, HttpRequest? request)
    {
        var publishedOnly = request is not null && !ContentApi.Api.Reading.ContentReader.For(request.HttpContext).Preview;
        for (var clause = order; clause is not null; clause = clause.ThenBy)
        {
            if (clause.Expression is not SingleValuePropertyAccessNode { Source: ResourceRangeVariableReferenceNode } property)
                return false;
            if (property.TypeReference is { IsNullable: true } && !(publishedOnly && SetOncePublished(property.Property)))
                return false;
        }
        return true;
    }

    /// <summary>A property that published content always has (ck_articles_published_has_date, ck_pledges_published_has_date).</summary>
    private static bool SetOncePublished(IEdmProperty property) =>
        property.Name == "publishedAt" && property.DeclaringType is IEdmEntityType { Name: "Article" or "Pledge" };
}

/// <summary>
/// With $skiptoken on, OData adds the values of the $orderby to every projected item, to write the next link from the
/// last one. A value reached through an optional navigation (<c>$orderby=pledge/year</c> on an article without a pledge)
/// is null in PostgreSQL's answer, which EF Core cannot read into a number: each such value is projected as nullable.
/// (Such an order is not continued by a token, <see cref="NextLinks.CanContinue"/>; the value is only carried.)
/// </summary>
public sealed class ContentSelectExpandBinder(IFilterBinder filterBinder, IOrderByBinder orderByBinder)
    : SelectExpandBinder(filterBinder, orderByBinder)
{
    /// <summary>
    /// OData reads one more than a page of each expanded collection (<c>Take(101)</c>) to know whether to write a nested
    /// next link. EF Core turns that into a <c>ROW_NUMBER()</c> over the whole link table, which PostgreSQL computes for
    /// every row before joining the page: <c>$expand=contacts</c> on 20 articles cost 95 ms of PostgreSQL at 100,000
    /// articles. An article's contacts are picked by hand, a few each, so they are read whole; OData still writes at
    /// most a page of them, with the nested next link (its container cuts the collection in memory). Collections that
    /// grow with the content (a pledge's articles) keep the limit in SQL.
    /// </summary>
    public override Expression BindSelectExpand(SelectExpandClause selectExpandClause, QueryBinderContext context)
    {
        var projection = base.BindSelectExpand(selectExpandClause, context);
        return context.QuerySettings.PageSize is { } pageSize ? new HandPickedUnlimited(pageSize + 1).Visit(projection) : projection;
    }

    private static readonly MemberInfo[] HandPicked = [typeof(Article).GetProperty(nameof(Article.Contacts))!];

    private sealed class HandPickedUnlimited(int pageLimit) : ExpressionVisitor
    {
        protected override Expression VisitMethodCall(MethodCallExpression node) =>
            node.Method.DeclaringType == typeof(Enumerable) && node.Method.Name == nameof(Enumerable.Take)
                && node.Arguments[1].Type == typeof(int) && DeferredQuery.Evaluate(node.Arguments[1]) is int limit && limit == pageLimit
                && HandPicked.Contains(Collection(node.Arguments[0])?.Member)
                ? Visit(node.Arguments[0])
                : base.VisitMethodCall(node);

        /// <summary>The navigation a nested query starts from (<c>a.Contacts</c> under its ordering and filters).</summary>
        private static MemberExpression? Collection(Expression source)
        {
            while (source is MethodCallExpression { Method.DeclaringType: var owner } call && owner == typeof(Enumerable))
                source = call.Arguments[0];
            return source as MemberExpression;
        }
    }

    protected override void BindOrderByProperties(QueryBinderContext context, Expression source,
        IEdmStructuredType structuredType, IList<NamedPropertyExpression> includedProperties, bool isSelectedAll)
    {
        var before = includedProperties?.Count ?? 0;
        base.BindOrderByProperties(context, source, structuredType, includedProperties, isSelectedAll);
        for (var i = before; i < (includedProperties?.Count ?? 0); i++)
        {
            var property = includedProperties![i];
            if (property.Value.Type is { IsValueType: true } type && Nullable.GetUnderlyingType(type) is null)
                includedProperties[i] = new NamedPropertyExpression(property.Name,
                    Expression.Convert(property.Value, typeof(Nullable<>).MakeGenericType(type))) { AutoSelected = property.AutoSelected };
        }
    }
}
