using System.Collections.Concurrent;
using System.Linq.Expressions;
using System.Reflection;
using Microsoft.AspNetCore.OData.Query.Container;
using Microsoft.EntityFrameworkCore.Query;

namespace ContentApi.Api.OData;

/// <summary>
/// The query provider OData is handed in place of EF Core's: it builds the same queries, but the page OData reads (and the
/// count it takes for $count) are noted instead of run: OData gets an empty page, and <see cref="ContentQueryAttribute"/>
/// runs both through EF Core asynchronously afterwards. Each query goes to EF Core rewritten by the ordering given, if any.
/// </summary>
public sealed class DeferredQuery : IQueryProvider
{
    private static readonly object Key = new();
    private readonly IQueryProvider _inner;
    private readonly ExpressionVisitor? _rewrite;
    private Expression? _page;
    private Expression? _count;

    private DeferredQuery(IQueryProvider inner, ExpressionVisitor? rewrite)
    {
        _inner = inner;
        _rewrite = rewrite;
    }

    /// <summary>The request's source, to be queried by OData through a provider that defers.</summary>
    public static IQueryable Start(HttpContext http, IQueryable source, ExpressionVisitor? rewrite)
    {
        var provider = new DeferredQuery(source.Provider, rewrite);
        http.Items[Key] = provider;
        return provider.CreateQuery(source.Expression);
    }

    /// <summary>
    /// Forgets what OData noted about the request's answer (its queries, its count, its next link), so that the request
    /// can be run again from the start, as after a standby's failure (Api/Reading/StandbyReads.cs): else the second run
    /// would find the first one's count function and write the first one's count.
    /// </summary>
    public static void Forget(HttpContext http)
    {
        http.Items.Remove(Key);
        PublishedCountOption.Forget(http);
        if (http.Features.Get<Microsoft.AspNetCore.OData.Abstracts.IODataFeature>() is { } feature)
        {
            feature.TotalCountFunc = null;
            feature.TotalCount = null;
            feature.NextLink = null;
        }
    }

    /// <summary>The request's deferred queries, if OData built any.</summary>
    public static DeferredQuery? Of(HttpContext http) => http.Items.TryGetValue(Key, out var provider) ? provider as DeferredQuery : null;

    /// <summary>
    /// The page OData asked for (its query ends with a Take of one more than the page size, which tells whether there
    /// is a next page), as OData would have read it; null when OData read none.
    /// </summary>
    public async Task<ITruncatedCollection?> ReadPageAsync(CancellationToken cancellationToken)
    {
        if (_page is not MethodCallExpression { Method.Name: nameof(Queryable.Take) } take)
            return _page is null ? null : throw new NotSupportedException($"OData read a page without a page size: {_page}");
        var pageSize = (int)(Evaluate(take.Arguments[1]) ?? throw new NotSupportedException($"OData's page size is not a constant: {take}")) - 1;
        var read = PageReaders.GetOrAdd(ElementType(take.Type), type =>
            ReadPageMethod.MakeGenericMethod(type).CreateDelegate<Func<DeferredQuery, Expression, int, CancellationToken, Task<ITruncatedCollection>>>());
        return await read(this, take, pageSize, cancellationToken);
    }

    /// <summary>The $count OData asked for; null when it asked for none.</summary>
    public async Task<long?> CountAsync(CancellationToken cancellationToken) => _count is null
        ? null
        : await ((IAsyncQueryProvider)_inner).ExecuteAsync<Task<long>>(Rewrite(_count), cancellationToken);

    private static readonly ConcurrentDictionary<Type, Func<DeferredQuery, Expression, int, CancellationToken, Task<ITruncatedCollection>>> PageReaders = new();

    private static readonly MethodInfo ReadPageMethod =
        typeof(DeferredQuery).GetMethod(nameof(ReadPage), BindingFlags.NonPublic | BindingFlags.Static)!;

    private static async Task<ITruncatedCollection> ReadPage<T>(DeferredQuery query, Expression page, int pageSize, CancellationToken cancellationToken)
    {
        var rows = new List<T>(pageSize + 1);
        var source = query._inner.CreateQuery<T>(query.Rewrite(page)) as IAsyncEnumerable<T>
            ?? throw new NotSupportedException("OData queries are read asynchronously, from EF Core.");
        await foreach (var row in source.WithCancellation(cancellationToken))
            rows.Add(row);
        return new TruncatedCollection<T>(rows, pageSize);
    }

    /// <summary>A constant OData wrote into a query, parameterized (a property of a constant object) or not; null for anything else.</summary>
    internal static object? Evaluate(Expression expression) => expression switch
    {
        ConstantExpression constant => constant.Value,
        MemberExpression { Expression: ConstantExpression owner, Member: PropertyInfo property } => property.GetValue(owner.Value),
        MemberExpression { Expression: ConstantExpression owner, Member: FieldInfo field } => field.GetValue(owner.Value),
        _ => null,
    };

    private Expression Rewrite(Expression expression) => _rewrite?.Visit(expression) ?? expression;

    public IQueryable CreateQuery(Expression expression) => (IQueryable)Activator.CreateInstance(
        typeof(Deferred<>).MakeGenericType(ElementType(expression.Type)), this, expression)!;

    public IQueryable<T> CreateQuery<T>(Expression expression) => new Deferred<T>(this, expression);

    public object? Execute(Expression expression) => _inner.Execute(Rewrite(expression));

    /// <summary>OData's count for $count: noted, and answered 0 until it has run.</summary>
    public TResult Execute<TResult>(Expression expression)
    {
        if (typeof(TResult) != typeof(long))
            return _inner.Execute<TResult>(Rewrite(expression));
        _count = expression;
        return default!;
    }

    private IEnumerator<T> GetEnumerator<T>(Expression expression)
    {
        if (_page is not null)
            throw new NotSupportedException("OData read two pages for one request.");
        _page = expression;
        return Enumerable.Empty<T>().GetEnumerator();
    }

    private static Type ElementType(Type sequence) =>
        sequence.GetInterfaces().Append(sequence)
            .First(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)).GetGenericArguments()[0];

    private sealed class Deferred<T>(DeferredQuery provider, Expression expression) : IOrderedQueryable<T>
    {
        public Type ElementType => typeof(T);
        public Expression Expression => expression;
        public IQueryProvider Provider => provider;
        public IEnumerator<T> GetEnumerator() => provider.GetEnumerator<T>(expression);
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
