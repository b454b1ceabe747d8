using ContentApi.Infrastructure;
using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using ContentApi.Api.Auth;
using ContentApi.Domain;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.OData.Abstracts;
using Microsoft.AspNetCore.OData.Extensions;
using Microsoft.AspNetCore.OData.Query;
using Microsoft.AspNetCore.OData.Query.Container;
using Microsoft.AspNetCore.OData.Results;
using Microsoft.OData;
using Microsoft.OData.UriParser;
using Microsoft.OData.UriParser.Aggregation;

namespace ContentApi.Api.OData;

/// <summary>
/// [EnableQuery] with the API's limits, and errors as RFC 9457 problem+json like the rest of the API instead of
/// OData's own error format.
/// </summary>
public sealed class ContentQueryAttribute : EnableQueryAttribute
{
    public const int MaxPageSize = 100;

    public ContentQueryAttribute()
    {
        PageSize = MaxPageSize;
        MaxTop = MaxPageSize;
        // Deeper, $skip steps over every earlier row: @odata.nextLink continues by $skiptoken at any depth.
        MaxSkip = Articles.ArticlePaging.MaxNumberedItems;
        MaxExpansionDepth = 2;
        MaxAnyAllExpressionDepth = 2;
        MaxNodeCount = 200;
        MaxOrderByNodeCount = 5;
        // What OData chooses for EF Core's provider, said outright: ApplyQuery may hand it a provider of its own.
        HandleNullPropagation = HandleNullPropagationOption.False;
        // $search: ContentSearchBinder.
        AllowedQueryOptions = AllowedQueryOptions.Supported;
        AllowedFunctions = AllowedFunctions.AllStringFunctions | AllowedFunctions.AllDateTimeFunctions
            | AllowedFunctions.Any | AllowedFunctions.All | AllowedFunctions.Cast | AllowedFunctions.IsOf;
    }

    /// <summary>
    /// Article bodies and a pledge's areas, signatories and efforts are JSON documents in one column each: they can be
    /// selected, but filtering or sorting inside them would scan every row, so they are refused. (Marking them
    /// not-filterable in the EDM would make $metadata claim that the whole set requires a filter.)
    /// </summary>
    public static readonly string[] DocumentProperties = ["body", "priorityAreas", "signatories", "ongoingEfforts", "renditions"];

    private static readonly Regex QuotedText = new("'([^']|'')*'", RegexOptions.Compiled);
    private static readonly Regex DocumentReference = new(
        @"\b(" + string.Join('|', DocumentProperties) + @")\b", RegexOptions.Compiled);
    private static readonly Regex GroupsByTags = new(@"\bgroupby\(\([^)]*\btags\b", RegexOptions.Compiled);
    private static readonly Regex Renditions = new(@"\brenditions\b", RegexOptions.Compiled);
    private static readonly Regex NestedFilterOrOrder = new(@"\$(filter|orderby)=[^;)]*", RegexOptions.Compiled);

    public override void ValidateQuery(HttpRequest request, ODataQueryOptions queryOptions)
    {
        // Before OData's own checks, which refuse it as "not a property access".
        if (queryOptions.Context.ElementClrType == typeof(Article)
            && GroupsByTags.IsMatch(QuotedText.Replace(queryOptions.RawValues.Apply ?? "", "''")))
            throw new ODataException(
                "An article's tags are a list, which groupby cannot group by: group /odata/ArticleTags, a row per tag of each article, "
                + "e.g. /odata/ArticleTags?$apply=groupby((tag),aggregate($count as articles)).");
        // One item (a key, or a path through one) is no set to aggregate: OData would fail writing the answer.
        if ((queryOptions.RawValues.Apply is not null || queryOptions.RawValues.Compute is not null)
            && request.ODataFeature().Path is { } path && path.Any(segment => segment is KeySegment or SingletonSegment))
            throw new ODataException("$apply and $compute aggregate a set: ask the entity set (e.g. /odata/Articles?$apply=…), not one item.");
        base.ValidateQuery(request, queryOptions);
        ContentSearchBinder.Validate(queryOptions.Search?.RawValue, queryOptions.Search?.SearchClause);
        if (queryOptions.Search?.SearchClause is { } search && queryOptions.RawValues.Apply is null
            && (queryOptions.Context.ElementClrType == typeof(Article) || queryOptions.Context.ElementClrType == typeof(Pledge)))
            request.HttpContext.Items[SearchKey] = (search, queryOptions.Context.ElementClrType);
        var filterAndOrder = string.Join(' ', queryOptions.Filter?.RawValue, queryOptions.OrderBy?.RawValue,
            queryOptions.RawValues.Apply, queryOptions.RawValues.Compute,
            string.Join(' ', NestedFilterOrOrder.Matches(queryOptions.SelectExpand?.RawExpand ?? "").Select(m => m.Value)));
        var match = DocumentReference.Match(QuotedText.Replace(filterAndOrder, "''"));
        if (match.Success)
            throw new ODataException(
                $"'{match.Value}' can be selected but not used in $filter, $orderby, $apply or $compute: it is a document stored whole.");
        // OData v4 answers in JSON only; another $format was silently answered in JSON.
        if (queryOptions.RawValues.Format is { Length: > 0 } format
            && !(format.StartsWith("json", StringComparison.OrdinalIgnoreCase) || format.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)))
            throw new ODataException($"$format={format} is not offered: answers are JSON ($format=json, or leave it out).");
        if (queryOptions.SkipToken is not null && !NextLinks.CanContinue(queryOptions.OrderBy?.OrderByClause, request))
            throw new ODataException(
                "$skiptoken continues only an order by the entity's own properties that cannot be null in what you see: follow the @odata.nextLink of the previous page, which uses $skip for other orders. (A link made for anonymous reading continues publishedAt by token; with credentials, which show undated drafts too, start again without $skiptoken.)");
        // A photo's renditions are computed from the whole row, after the database has answered.
        if (Renditions.IsMatch(string.Join(' ', queryOptions.SelectExpand?.RawSelect, queryOptions.SelectExpand?.RawExpand)))
            throw new ODataException("A photo's renditions come with the whole photo: leave renditions out of $select, or leave out $select.");
    }

    /// <summary>
    /// [EnableQuery] builds the query and reads the page in one synchronous call, and counts for $count while the answer
    /// is written (Microsoft.AspNetCore.OData has no asynchronous path for an IQueryable). <see cref="ApplyQuery"/> hands
    /// it a <see cref="DeferredQuery"/>, which only notes the queries; they run here, asynchronously, so a burst of OData
    /// requests waiting for PostgreSQL holds no thread (on the thread pool, 32 of them held every pool thread and the
    /// server answered nothing while the pool grew).
    /// </summary>
    public override async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        OnActionExecuting(context);
        if (context.Result is not null)
            return;
        // $search (validated above): a search with few matches is read by id first (ContentSearchBinder.FewMatchesAsync).
        if (context.HttpContext.Items[SearchKey] is (SearchClause search, Type type))
        {
            var reader = Reading.ContentReader.For(context.HttpContext);
            var visible = type == typeof(Article) ? reader.Articles.Select(a => a.Id) : reader.Pledges.Select(p => p.Id);
            context.HttpContext.Items[SearchKey] = await ContentSearchBinder.FewMatchesAsync(search, reader, visible,
                context.HttpContext.RequestAborted) ?? (object)ManyMatches;
        }
        var executed = await next();
        var answer = executed.Result as ObjectResult;
        OnActionExecuted(executed);
        if (DeferredQuery.Of(context.HttpContext) is { } deferred)
            await ReadAsync(executed, answer, deferred);
    }

    /// <summary>Runs the queries OData built and puts their rows and count where OData would have.</summary>
    private static async Task ReadAsync(ActionExecutedContext executed, ObjectResult? answer, DeferredQuery deferred)
    {
        var http = executed.HttpContext;
        var feature = http.ODataFeature();
        // Reading it notes $count's query (OData counts only when asked), or takes the count the database keeps.
        await PublishedCountOption.ReadAsync(http, http.RequestAborted);
        _ = feature.TotalCount;
        ITruncatedCollection? page;
        try
        {
            page = await deferred.ReadPageAsync(http.RequestAborted);
            if (await deferred.CountAsync(http.RequestAborted) is { } count)
                feature.TotalCount = count;
        }
        // Not a database that failed (EF Core wraps that in an InvalidOperationException too): the standby's failure is
        // read again on the primary (Reading/StandbyReads.cs), the primary's is a 503.
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException && !Standby.IsStandbyFailure(e))
        {
            // As [EnableQuery] answers a query that fails while it runs (EF Core cannot translate it).
            executed.Result = AsProblem(http, new BadRequestObjectResult(
                CreateErrorResponse($"The query specified in the URI is not valid. {e.Message}", e)));
            return;
        }
        if (answer?.Value is SingleResult)
        {
            // OData answered 404 from the empty page it was given.
            if (page is System.Collections.IList { Count: > 0 } found)
            {
                answer.Value = found[0];
                executed.Result = answer;
            }
            return;
        }
        if (executed.Result is not ObjectResult result)
            return;
        if (page is not null)
        {
            result.Value = page;
            if (page.IsTruncated)
                SetPageSize((ODataFeature)feature, page.PageSize);
        }
        else if (result.Value is long && http.Request.IsCountRequest())
            result.Value = feature.TotalCount;
    }

    /// <summary>Where OData keeps the size of a truncated page, which its serializer writes the next link from.</summary>
    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "set_PageSize")]
    private static extern void SetPageSize(ODataFeature feature, int pageSize);

    public override void OnActionExecuting(ActionExecutingContext context)
    {
        // Microsoft.AspNetCore.OData throws an ArgumentException (a 500) for an empty $skiptoken (or skiptoken: it reads
        // its options without the "$" too).
        if (context.HttpContext.Request.Query.Any(option => option.Key.TrimStart('$').Equals("skiptoken", StringComparison.OrdinalIgnoreCase)
                && option.Value.Any(string.IsNullOrEmpty)))
        {
            context.Result = Problem(context.HttpContext, StatusCodes.Status400BadRequest, "Invalid OData query",
                "$skiptoken is empty: follow the @odata.nextLink of the previous page as it is.");
            return;
        }
        base.OnActionExecuting(context);
        context.Result = AsProblem(context.HttpContext, context.Result);
    }

    public override void OnActionExecuted(ActionExecutedContext context)
    {
        base.OnActionExecuted(context);
        // A collection was paged as the client preferred (Microsoft.AspNetCore.OData does not say so itself).
        if (context.Result is ObjectResult { StatusCode: null or StatusCodes.Status200OK, Value: IQueryable }
            && PreferredPageSize(context.HttpContext.Request) is { } preferred)
            context.HttpContext.Response.Headers["Preference-Applied"] =
                $"odata.maxpagesize={Math.Min(preferred, context.HttpContext.Items[PageSizeKey] as int? ?? MaxPageSize)}";
        context.Result = context.Result is StatusCodeResult { StatusCode: StatusCodes.Status404NotFound } or NotFoundObjectResult
            ? Problem(context.HttpContext, StatusCodes.Status404NotFound, "Not found",
                $"Nothing published has the key in {context.HttpContext.Request.Path}.")
            : AsProblem(context.HttpContext, context.Result);
    }

    private static readonly Regex MaxPageSizePreference = new(
        @"(?:^|[,;\s])(?:odata\.)?maxpagesize\s*=\s*""?(\d{1,9})""?\s*(?:[,;]|$)", RegexOptions.Compiled | RegexOptions.IgnoreCase);

    /// <summary>
    /// The page size a Prefer header asks for (RFC 7240, OData 4.01's <c>odata.maxpagesize</c>, or <c>maxpagesize</c>,
    /// which OData reads too); null when it asks for none, or for one OData does not page by.
    /// </summary>
    private static int? PreferredPageSize(HttpRequest request) =>
        request.Headers["Prefer"].Select(value => MaxPageSizePreference.Match(value ?? ""))
            .Where(match => match.Success).Select(match => int.Parse(match.Groups[1].Value)).Where(size => size > 0)
            .Cast<int?>().FirstOrDefault();

    /// <summary>
    /// $orderby with OData's order of nulls: first ascending, last descending (OData 4.01, 11.2.6.2: null is less than
    /// every value). PostgreSQL does the opposite, so a key that can be null is ordered by "is it null" first, in
    /// $orderby and in the $orderby of an $expand alike: <see cref="DeferredQuery"/> rewrites the query OData built as
    /// it goes to EF Core.
    /// </summary>
    public override IQueryable ApplyQuery(IQueryable queryable, ODataQueryOptions queryOptions)
    {
        if (queryOptions.Search?.SearchClause is { } search)
        {
            var reader = Reading.ContentReader.For(queryOptions.Request.HttpContext);
            var few = queryOptions.Request.HttpContext.Items[SearchKey] as List<Guid>;
            queryable = queryable switch
            {
                IQueryable<Article> articles => ContentSearchBinder.Filter(articles, search, reader, few),
                IQueryable<Pledge> pledges => ContentSearchBinder.Filter(pledges, search, reader, few),
                _ => queryable,
            };
        }
        PublishedCountOption.Offer(queryable, queryOptions);
        var ordersNulls = queryOptions.OrderBy is not null
            || (queryOptions.SelectExpand?.RawExpand?.Contains("orderby", StringComparison.OrdinalIgnoreCase) ?? false);
        var ordering = ordersNulls
            ? new NullsFirstOrdering(anonymous: !Reading.ContentReader.For(queryOptions.Request.HttpContext).Preview)
            : null;
        queryable = DeferredQuery.Start(queryOptions.Request.HttpContext, queryable, ordering);
        int pageSize;
        if (ExpandsCollection(queryOptions.SelectExpand?.SelectExpandClause))
            pageSize = ExpandedPageSize;
        else if (Groups(queryOptions.Apply?.ApplyClause))
            pageSize = Math.Min(GroupPageSize, PreferredPageSize(queryOptions.Request) ?? GroupPageSize);
        else
            return base.ApplyQuery(queryable, queryOptions);
        queryOptions.Request.HttpContext.Items[PageSizeKey] = pageSize;
        return queryOptions.ApplyTo(queryable, new ODataQuerySettings
            {
                PageSize = pageSize,
                HandleNullPropagation = HandleNullPropagation,
                EnsureStableOrdering = EnsureStableOrdering,
                EnableConstantParameterization = EnableConstantParameterization,
            });
    }

    private static readonly object PageSizeKey = new();
    /// <summary>$search's clause, then the few ids it matches or <see cref="ManyMatches"/>.</summary>
    private static readonly object SearchKey = new(), ManyMatches = new();

    /// <summary>
    /// Items per page, of the answer and of each list in it, when a list is expanded (a contact's or a pledge's
    /// articles). OData pages an expanded list by the page size of the answer, so 100 contacts with their articles
    /// (each contact is named by hundreds) and those articles' photos and contacts would be 10 000 articles, some
    /// 34 MB, in one answer; with 20 it is at most 400. Each list then ends with its own nextLink, as does the answer.
    /// </summary>
    public const int ExpandedPageSize = 20;

    /// <summary>
    /// Groups per page of an $apply that groups or aggregates. Every page is the whole aggregation again (PostgreSQL
    /// reads every row to know the groups), and a group is a few small values: "articles per tag per month" at 100,000
    /// articles is 2,150 groups, 22 pages of 100, each ~0.3 s of PostgreSQL's CPU, where pages of 1,000 make 3 (~70 KB each).
    /// </summary>
    public const int GroupPageSize = 1_000;

    private static bool Groups(ApplyClause? apply) =>
        apply?.Transformations.Any(t => t.Kind is TransformationNodeKind.GroupBy or TransformationNodeKind.Aggregate) ?? false;

    private static bool ExpandsCollection(SelectExpandClause? clause) =>
        clause?.SelectedItems.OfType<ExpandedNavigationSelectItem>().Any(item =>
            item.PathToNavigationProperty.LastSegment.EdmType is Microsoft.OData.Edm.IEdmCollectionType
            || ExpandsCollection(item.SelectAndExpand)) ?? false;

    private sealed class NullsFirstOrdering(bool anonymous) : ExpressionVisitor
    {
        private static readonly ConcurrentDictionary<PropertyInfo, bool> NullableReferences = new();

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            var call = (MethodCallExpression)base.VisitMethodCall(node);
            if (call.Method.DeclaringType is not { } owner || (owner != typeof(Queryable) && owner != typeof(Enumerable))
                || call.Method.Name is not ("OrderBy" or "OrderByDescending" or "ThenBy" or "ThenByDescending")
                || call.Arguments.Count != 2)
                return call;
            var quoted = call.Arguments[1] is UnaryExpression { NodeType: ExpressionType.Quote };
            var key = (LambdaExpression)(quoted ? ((UnaryExpression)call.Arguments[1]).Operand : call.Arguments[1]);
            if (IsNull(key.Body) is not { } isNull)
                return call;
            // ORDER BY CASE WHEN key IS NULL THEN 0 ELSE 1 END [DESC], key [DESC]
            var nullsFirst = Expression.Lambda(Expression.Condition(isNull, Expression.Constant(0), Expression.Constant(1)), key.Parameters);
            var element = key.Parameters[0].Type;
            var ranked = Call(owner, call.Method.Name, element, typeof(int), call.Arguments[0], nullsFirst, quoted);
            var then = call.Method.Name.EndsWith("Descending", StringComparison.Ordinal) ? "ThenByDescending" : "ThenBy";
            return Call(owner, then, element, key.ReturnType, ranked, key, quoted);
        }

        private static MethodCallExpression Call(Type owner, string name, Type element, Type key, Expression source, LambdaExpression selector, bool quoted) =>
            Expression.Call(owner, name, [element, key], source, quoted ? Expression.Quote(selector) : selector);

        /// <summary>"Is this key null?", or null when it never is: each link of a property path that may be null.</summary>
        private Expression? IsNull(Expression key)
        {
            while (key is UnaryExpression { NodeType: ExpressionType.Convert } convert)
                key = convert.Operand;
            var path = new Stack<MemberExpression>();
            var link = key;
            while (link is MemberExpression member)
            {
                path.Push(member);
                link = member.Expression;
            }
            Expression? isNull = null;
            if (link is ParameterExpression && path.Count > 0)
            {
                foreach (var member in path.Where(MayBeNull))
                {
                    var test = Expression.Equal(member, Expression.Constant(null, member.Type));
                    isNull = isNull is null ? test : Expression.OrElse(isNull, test);
                }
                return isNull;
            }
            // A function of properties (tolower(caption), length(title)…): null when its value can be.
            return key.Type.IsValueType && Nullable.GetUnderlyingType(key.Type) is null
                ? null
                : Expression.Equal(key, Expression.Constant(null, key.Type));
        }

        private bool MayBeNull(MemberExpression member)
        {
            if (anonymous && IsPublicationDate(member.Member))
                return false;
            if (member.Type.IsValueType)
                return Nullable.GetUnderlyingType(member.Type) is not null;
            return member.Member is not PropertyInfo property
                || NullableReferences.GetOrAdd(property, p => new NullabilityInfoContext().Create(p).ReadState != NullabilityState.NotNull);
        }

        /// <summary>
        /// Anonymous readers see published articles and pledges only, and the database refuses a published one without
        /// its date (ck_articles_published_has_date, ck_pledges_published_has_date): their publishedAt is never null,
        /// and leaving the null test out keeps PostgreSQL walking the (status, published_at, id) index in order.
        /// </summary>
        private static bool IsPublicationDate(MemberInfo member) =>
            member.Name == nameof(Article.PublishedAt) && (member.DeclaringType == typeof(Article) || member.DeclaringType == typeof(Pledge));
    }

    private static ObjectResult Problem(HttpContext context, int status, string title, string detail) => new(new ProblemDetails
    {
        Type = $"https://tools.ietf.org/html/rfc9110#section-15.5.{(status == StatusCodes.Status404NotFound ? 5 : 1)}",
        Status = status,
        Title = title,
        Detail = detail,
        Extensions = { ["traceId"] = System.Diagnostics.Activity.Current?.Id ?? context.TraceIdentifier },
    })
    {
        StatusCode = status,
        ContentTypes = { "application/problem+json" },
    };

    // OData's messages end with advice for the server's developers ("set the 'MaxTop' property on
    // EnableQueryAttribute"); a client can do nothing with it.
    private static readonly Regex ServerAdvice = new(@"\s*[^.]*(EnableQueryAttribute|ODataValidationSettings|To increase the limit)[^.]*\.", RegexOptions.Compiled);

    private static string Describe(SerializableError error)
    {
        var message = error.TryGetValue("Message", out var m) ? m?.ToString() ?? "" : "";
        var reason = error.TryGetValue("ExceptionMessage", out var r) ? r?.ToString() ?? "" : "";
        return message.Contains(reason, StringComparison.Ordinal) ? message : $"{message} {reason}".Trim();
    }

    /// <summary>OData answers a bad query with its own error object; clients of this API get problem+json.</summary>
    private static IActionResult? AsProblem(HttpContext context, IActionResult? result)
    {
        if (result is not ObjectResult { StatusCode: >= 400 and < 500 } error || error.Value is ProblemDetails)
            return result;
        var detail = error.Value switch
        {
            ODataError odata => odata.Message,
            SerializableError serializable => Describe(serializable),
            string text => text,
            var other => other?.ToString() ?? "The OData query is not valid.",
        };
        detail = ServerAdvice.Replace(detail, "").Trim();
        return Problem(context, error.StatusCode!.Value, "Invalid OData query", detail);
    }
}
