using System.Linq.Expressions;
using ContentApi.Api.Hosting;
using ContentApi.Api.Photos;
using ContentApi.Api.Reading;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ContentApi.Api.Articles;

public static class ArticleEndpoints
{
    public static void MapArticles(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(ContentRoutes.Articles).WithTags("Articles");

        group.MapGet("/", ListArticles)
            .WithName("listArticles")
            .WithSummary("Published articles, newest first, optionally with one or more tags (all of them).")
            .AllowQuery("tag", "status", "page", "pageSize", "cursor");
        group.MapGet("/{id:guid}", GetArticleById)
            .WithName("getArticle")
            .WithSummary("One published article by id.")
            .AllowQuery()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/by-slug/{slug}", GetArticleBySlug)
            .WithName("getArticleBySlug")
            .WithSummary("One published article by its slug, e.g. nytt-medborgarlofte-for-2024. An old slug of a published article answers 301 to the new one.")
            .AllowQuery()
            .Produces(StatusCodes.Status301MovedPermanently)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    /// <param name="reader"></param>
    /// <param name="request"></param>
    /// <param name="tag">Only articles with this tag, e.g. "trygghet". Repeated (?tag=a&amp;tag=b): articles with all of them.</param>
    /// <param name="status">Editors only: articles with this status (Draft, Published, Archived). Anonymous readers always get published articles.</param>
    /// <param name="page">1-based page number, for the first 10000 articles (page × pageSize at most 10000); deeper, follow nextPage.</param>
    /// <param name="pageSize">Articles per page, 1 to 100 (default 20).</param>
    /// <param name="cursor">Where nextPage continues (after the last article of the page before); opaque: follow nextPage as it is.</param>
    /// <param name="ct"></param>
    private static async Task<Results<Ok<PagedList<ArticleSummaryDto>>, ValidationProblem>> ListArticles(
        ContentReader reader, HttpRequest request, string[]? tag, ContentStatus? status, string? cursor,
        int page = 1, int pageSize = Paging.DefaultPageSize, CancellationToken ct = default)
    {
        if (ArticlePaging.Validate(request, page, pageSize, cursor, out var after) is { } problem)
            return problem;

        var tags = (tag ?? []).Where(t => !string.IsNullOrWhiteSpace(t)).Distinct().ToList();
        var query = reader.Articles;
        if (status is not null)
            query = query.Where(a => a.Status == status);
        foreach (var t in tags)
            query = query.Where(a => a.Tags.Contains(t));

        // Anonymous totals of all articles or of one tag are kept by the saving transaction; others are counted.
        var total = status is null && tags.Count <= 1 && await PublishedCounts.ArticlesAsync(reader, tags.FirstOrDefault(), ct) is { } kept
            ? kept
            : await query.CountAsync(ct);
        var ordered = (after is { } cursorAt ? query.After(cursorAt) : query)
            .OrderByDescending(a => a.PublishedAt).ThenByDescending(a => a.Id);
        // One article more than the page tells whether there is a next page.
        var items = await (after is null && page > 1 ? ordered.Skip((page - 1) * pageSize) : ordered).Take(pageSize + 1)
            .Select(ArticleSummaryDto.Projection)
            .ToListAsync(ct);
        page = after?.Page ?? page;
        string? next = null;
        if (items.Count > pageSize)
        {
            items.RemoveAt(pageSize);
            next = ArticlePaging.NextPageLink(request, page, items[^1]);
        }
        return TypedResults.Ok(new PagedList<ArticleSummaryDto>(items, page, pageSize, total, next));
    }

    private static async Task<Results<Ok<ArticleDto>, ProblemHttpResult>> GetArticleById(
        ContentReader reader, HttpContext context, Guid id, CancellationToken ct) =>
        await Queries.Of(reader).ById(reader.Db, id, ct) is { } row
            ? await AnswerAsync(context, reader, row, ct)
            : NotFound($"There is no published article with id {id}.");

    private static async Task<Results<Ok<ArticleDto>, RedirectHttpResult, ProblemHttpResult>> GetArticleBySlug(
        ContentReader reader, HttpContext context, string slug, CancellationToken ct)
    {
        var row = await Queries.Of(reader).BySlug(reader.Db, slug, ct);
        if (row is not null)
            return await AnswerAsync(context, reader, row, ct);
        // A published article's old address keeps working: 301 to where it lives now.
        var moved = await reader.Db.SlugRedirects.AsNoTracking().Where(r => r.OldSlug == slug)
            .Join(reader.Articles, r => r.ArticleId, a => a.Id, (r, a) => a.Slug).FirstOrDefaultAsync(ct);
        if (moved is not null)
            return TypedResults.Redirect($"/api/articles/by-slug/{moved}", permanent: true);
        return NotFound($"There is no published article with the slug '{(slug.Length > 100 ? slug[..100] + "…" : slug)}'.");
    }

    /// <summary>
    /// One article as the caller may see it: published for anonymous readers, the version an editor works on for
    /// editors. Reads and write answers alike come from here.
    /// </summary>
    public static async Task<ArticleDto?> ReadAsync(ContentReader reader, Guid id, CancellationToken ct) =>
        await Queries.Of(reader).ById(reader.Db, id, ct) is { } row ? await BuildAsync(reader, row, ct) : null;

    /// <summary>Articles by id, each as <see cref="ReadAsync"/> shows it, in one round trip (the app's sync reads pages of them).</summary>
    public static async Task<List<ArticleDto>> ReadManyAsync(ContentReader reader, IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        var articles = new List<ArticleDto>(ids.Count);
        await foreach (var row in Queries.ByIds(reader, [.. ids]).AsAsyncEnumerable().WithCancellation(ct))
            articles.Add(await BuildAsync(reader, row, ct));
        return articles;
    }

    /// <summary>"Senast uppdaterad" doubles as the HTTP Last-Modified; editors get the version to send back in If-Match.</summary>
    private static async Task<Ok<ArticleDto>> AnswerAsync(HttpContext context, ContentReader reader, ArticleRow row, CancellationToken ct)
    {
        context.Response.Headers.LastModified = row.UpdatedAt.ToString("R");
        if (reader.Preview)
            Editorial.Concurrency.SetETag(context, row.Version);
        return TypedResults.Ok(await BuildAsync(reader, row, ct));
    }

    private static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Article not found", detail: detail);

    /// <summary>
    /// The hot reads, compiled once per face: EF Core skips building, hashing and looking up the query on every request
    /// (a compiled query is bound to one model, so each face's model has its own), and PostgreSQL plans them once per
    /// connection (<see cref="PreparedReads"/>). The face's filters decide what is seen, with the same skip of per-row
    /// photo and contact checks as <see cref="ContentReader.Articles"/>. No Take(1): id and slug are unique, and with it
    /// EF Core wraps the article in a subquery that the collections are joined to. (EF Core 10 still selects every column
    /// of the article here, its pending version included, which the list's projection, without the body, does not.)
    /// </summary>
    private sealed class Queries
    {
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Microsoft.EntityFrameworkCore.Metadata.IModel, Queries> ByModel = [];

        public static Queries Of(ContentReader reader) => ByModel.GetValue(reader.Db.Model, _ => new Queries());

        private readonly Func<ContentDbContext, Guid, IAsyncEnumerable<ArticleRow>> _byId = Compile((Article a, Guid id) => a.Id == id);

        private readonly Func<ContentDbContext, string, IAsyncEnumerable<ArticleRow>> _bySlug = Compile((Article a, string slug) => a.Slug == slug);

        public Task<ArticleRow?> ById(ContentDbContext db, Guid id, CancellationToken ct) => FirstAsync(_byId(db, id), ct);

        /// <summary>The same rows for a set of ids (not compiled: the set's size varies).</summary>
        public static IQueryable<ArticleRow> ByIds(ContentReader reader, List<Guid> ids)
        {
            var db = Expression.Constant(reader.Db);
            var row = Expression.Lambda<Func<Article, ArticleRow>>(Inline(ArticleRow.Projection, db), ArticleRow.Projection.Parameters[1]);
            return reader.Articles.AsSingleQuery().Where(a => ids.Contains(a.Id)).Select(row);
        }

        public Task<ArticleRow?> BySlug(ContentDbContext db, string slug, CancellationToken ct) => FirstAsync(_bySlug(db, slug), ct);

        public readonly Func<ContentDbContext, List<Guid>, IAsyncEnumerable<PhotoDto>> PhotosById =
            EF.CompileAsyncQuery((ContentDbContext db, List<Guid> ids) => db.Photos.IgnoreQueryFilters().AsNoTracking()
                .Where(p => ids.Contains(p.Id)).Select(PhotoDto.Projection));

        private static readonly Expression<Func<ContentDbContext, IQueryable<Article>>> Articles = db =>
            db.Articles.TagWith(PreparedReads.Tag).IgnoreQueryFilters(ContentReader.UsedByPublished).AsNoTracking()
                // Contacts and photos in the same round trip; an article has few of each, so few rows.
                .AsSingleQuery();

        /// <summary>
        /// <c>(db, key) => Articles(db).Where(a => match(a, key)).Select(a => ArticleRow.Projection(db, a))</c>, compiled:
        /// one projection for both keys (EF Core inlines no method or expression of ours, so they are put in by hand).
        /// </summary>
        private static Func<ContentDbContext, TKey, IAsyncEnumerable<ArticleRow>> Compile<TKey>(Expression<Func<Article, TKey, bool>> match)
        {
            var db = Expression.Parameter(typeof(ContentDbContext), "db");
            var where = Expression.Call(typeof(Queryable), nameof(Queryable.Where), [typeof(Article)], Inline(Articles, db),
                Expression.Quote(Expression.Lambda<Func<Article, bool>>(match.Body, match.Parameters[0])));
            var row = Expression.Lambda<Func<Article, ArticleRow>>(Inline(ArticleRow.Projection, db), ArticleRow.Projection.Parameters[1]);
            var select = Expression.Call(typeof(Queryable), nameof(Queryable.Select), [typeof(Article), typeof(ArticleRow)],
                where, Expression.Quote(row));
            return EF.CompileAsyncQuery(Expression.Lambda<Func<ContentDbContext, TKey, IQueryable<ArticleRow>>>(select, db, match.Parameters[1]));
        }

        /// <summary>The body of a lambda whose first parameter is the context, with <paramref name="db"/> in its place.</summary>
        private static Expression Inline(LambdaExpression lambda, Expression db) => new Substitute(lambda.Parameters[0], db).Visit(lambda.Body);

        private sealed class Substitute(ParameterExpression from, Expression to) : ExpressionVisitor
        {
            protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
        }

        private static async Task<ArticleRow?> FirstAsync(IAsyncEnumerable<ArticleRow> rows, CancellationToken ct)
        {
            await foreach (var row in rows.WithCancellation(ct))
                return row;
            return null;
        }
    }

    private static async Task<ArticleDto> BuildAsync(ContentReader reader, ArticleRow row, CancellationToken ct)
    {
        var photos = row.Photos.ToDictionary(p => p.Id);
        if (row.HeroPhoto is { } hero)
            photos.TryAdd(hero.Id, hero);
        var shown = row.Body.Where(b => b.Type == BlockType.Image && b.PhotoId is not null).Select(b => b.PhotoId!.Value).Distinct().ToList();
        // An editor's pending version may show photos the live one does not (the article's photo list is the live one's).
        if (shown.Where(id => !photos.ContainsKey(id)).ToList() is { Count: > 0 } missing)
            await foreach (var photo in Queries.Of(reader).PhotosById(reader.Db, missing).WithCancellation(ct))
                photos.TryAdd(photo.Id, photo);
        var bodyPhotos = shown.Where(photos.ContainsKey).Select(id => photos[id]).ToList();
        var html = BodyHtml.Render(row.Body, photos, reader.Services.GetRequiredService<IOptions<BodyHtmlOptions>>().Value);
        // Warnings are for editors, about the version they see; anonymous readers get none.
        var warnings = reader.Preview
            ? Quality.ContentQuality.Warnings(reader.Services.GetRequiredService<IOptions<Quality.ContentQualityOptions>>().Value,
                row.Lix, row.Body, row.HeroPhoto, photos)
            : null;
        return new ArticleDto(
            row.Id, row.Slug, row.Title, row.Lead, row.Summary, row.Tags, row.Status, row.PublishedAt, row.UpdatedAt,
            row.Body, html, row.HeroPhoto, row.Contacts, row.Pledge, bodyPhotos, row.Lix, Readability.LevelOf(row.Lix),
            row.HasPendingChanges, warnings);
    }
}
