using System.Security.Claims;
using ContentApi.Api.Auth;
using ContentApi.Api.Hosting;
using ContentApi.Api.Photos;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Api.Articles;

public static class ArticleEndpoints
{
    public static void MapArticles(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/articles").WithTags("Articles");

        group.MapGet("/", ListArticles)
            .WithName("listArticles")
            .WithSummary("Published articles, newest first, optionally with a tag.")
            .ProducesValidationProblem();
        group.MapGet("/{id:guid}", GetArticleById)
            .WithName("getArticle")
            .WithSummary("One published article by id.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/by-slug/{slug}", GetArticleBySlug)
            .WithName("getArticleBySlug")
            .WithSummary("One published article by its slug, e.g. nytt-medborgarlofte-for-2024. An old slug of a published article answers 301 to the new one.")
            .Produces(StatusCodes.Status301MovedPermanently)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    /// <param name="db"></param>
    /// <param name="request"></param>
    /// <param name="user"></param>
    /// <param name="tag">Only articles with this tag, e.g. "trygghet".</param>
    /// <param name="status">Editors only: articles with this status (Draft, Published, Archived). Anonymous readers always get published articles.</param>
    /// <param name="page">1-based page number.</param>
    /// <param name="pageSize">Articles per page, 1 to 100 (default 20).</param>
    /// <param name="ct"></param>
    private static async Task<Results<Ok<PagedList<ArticleSummaryDto>>, ValidationProblem>> ListArticles(
        ContentDbContext db, HttpRequest request, ClaimsPrincipal user, string? tag, ContentStatus? status,
        int page = 1, int pageSize = Paging.DefaultPageSize, CancellationToken ct = default)
    {
        if (Paging.Validate(page, pageSize) is { } problem)
            return problem;

        var query = Visible(db, user).AsNoTracking();
        if (status is not null && user.CanPreview())
            query = query.Where(a => a.Status == status);
        if (!string.IsNullOrWhiteSpace(tag))
            query = query.Where(a => a.Tags.Contains(tag));

        var total = await query.CountAsync(ct);
        var items = await query
            .OrderByDescending(a => a.PublishedAt).ThenByDescending(a => a.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(ArticleSummaryDto.Projection)
            .ToListAsync(ct);
        return TypedResults.Ok(new PagedList<ArticleSummaryDto>(
            items, page, pageSize, total, Paging.NextPageLink(request, page, pageSize, total)));
    }

    /// <summary>What the caller may read: published articles, or everything for editors (preview).</summary>
    public static IQueryable<Article> Visible(ContentDbContext db, ClaimsPrincipal user) =>
        user.CanPreview() ? db.Articles.IgnoreQueryFilters() : db.PublishedArticles;

    private static async Task<Results<Ok<ArticleDto>, ProblemHttpResult>> GetArticleById(
        ContentDbContext db, HttpContext context, Guid id, CancellationToken ct)
    {
        if (context.User.CanPreview())
            return await Preview(db, context, a => a.Id == id, $"There is no article with id {id}.", ct);
        return LastModified(context, await GetArticle(db, await PublishedById(db, id, ct), $"There is no published article with id {id}.", ct));
    }

    private static async Task<Results<Ok<ArticleDto>, RedirectHttpResult, ProblemHttpResult>> GetArticleBySlug(
        ContentDbContext db, HttpContext context, string slug, CancellationToken ct)
    {
        var notFound = $"There is no published article with the slug '{(slug.Length > 100 ? slug[..100] + "…" : slug)}'.";
        if (context.User.CanPreview())
            return (await Preview(db, context, a => a.Slug == slug, notFound, ct)).Result switch
            {
                Ok<ArticleDto> ok => ok,
                var other => (ProblemHttpResult)other,
            };
        var result = LastModified(context, await GetArticle(db, await PublishedBySlug(db, slug, ct), notFound, ct));
        if (result.Result is not ProblemHttpResult)
            return result.Result switch { Ok<ArticleDto> ok => ok, _ => (ProblemHttpResult)result.Result };
        // A published article's old address keeps working: 301 to where it lives now.
        var moved = await db.SlugRedirects.AsNoTracking().Where(r => r.OldSlug == slug)
            .Join(db.Articles, r => r.ArticleId, a => a.Id, (r, a) => a.Slug).FirstOrDefaultAsync(ct);
        return moved is null ? (ProblemHttpResult)result.Result : TypedResults.Redirect($"/api/articles/by-slug/{moved}", permanent: true);
    }

    /// <summary>"Senast uppdaterad" doubles as the HTTP Last-Modified.</summary>
    private static Results<Ok<ArticleDto>, ProblemHttpResult> LastModified(HttpContext context, Results<Ok<ArticleDto>, ProblemHttpResult> result)
    {
        if (result.Result is Ok<ArticleDto> { Value: { } article })
            context.Response.Headers.LastModified = article.UpdatedAt.ToString("R");
        return result;
    }

    private static async Task<Results<Ok<ArticleDto>, ProblemHttpResult>> Preview(
        ContentDbContext db, HttpContext context, System.Linq.Expressions.Expression<Func<Article, bool>> match, string notFound, CancellationToken ct)
    {
        // Drafts are for the editor's eyes only: no shared cache may keep them.
        context.Response.Headers.CacheControl = "private, no-store";
        var article = await ArticlePreview.All(db).AsNoTracking().FirstOrDefaultAsync(match, ct);
        if (article is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Article not found", detail: notFound);
        Editorial.Concurrency.SetETag(context, article.Version);
        return TypedResults.Ok(await ArticlePreview.BuildAsync(db, article, ct));
    }

    // The hot anonymous reads, compiled once: EF Core skips building, hashing and looking up the query on every request.
    // The filter is ContentDbContext.PublishedArticles written out (a compiled query cannot call a property).
    private static readonly Func<ContentDbContext, string, CancellationToken, Task<ArticleRow?>> PublishedBySlug =
        EF.CompileAsyncQuery((ContentDbContext db, string slug, CancellationToken ct) => db.Articles.IgnoreQueryFilters()
            .AsNoTracking().Where(a => a.Status == ContentStatus.Published && a.Slug == slug)
            .Select(ArticleRow.Projection).FirstOrDefault());

    private static readonly Func<ContentDbContext, Guid, CancellationToken, Task<ArticleRow?>> PublishedById =
        EF.CompileAsyncQuery((ContentDbContext db, Guid id, CancellationToken ct) => db.Articles.IgnoreQueryFilters()
            .AsNoTracking().Where(a => a.Status == ContentStatus.Published && a.Id == id)
            .Select(ArticleRow.Projection).FirstOrDefault());

    // A published article's body photos are visible because the article uses them (see PublishedArticles).
    private static readonly Func<ContentDbContext, List<Guid>, IAsyncEnumerable<PhotoDto>> PhotosById =
        EF.CompileAsyncQuery((ContentDbContext db, List<Guid> ids) => db.Photos.IgnoreQueryFilters().AsNoTracking()
            .Where(p => ids.Contains(p.Id)).Select(PhotoDto.Projection));

    private static async Task<Results<Ok<ArticleDto>, ProblemHttpResult>> GetArticle(
        ContentDbContext db, ArticleRow? row, string notFound, CancellationToken ct)
    {
        if (row is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Article not found", detail: notFound);

        var photoIds = row.Body.Where(b => b.Type == BlockType.Image && b.PhotoId is not null).Select(b => b.PhotoId!.Value).Distinct().ToList();
        List<PhotoDto> bodyPhotos = [];
        if (photoIds.Count > 0)
            await foreach (var photo in PhotosById(db, photoIds).WithCancellation(ct))
                bodyPhotos.Add(photo);
        var html = BodyHtml.Render(row.Body, bodyPhotos.ToDictionary(p => p.Id));

        return TypedResults.Ok(new ArticleDto(
            row.Id, row.Slug, row.Title, row.Lead, row.Tags, row.Status, row.PublishedAt, row.UpdatedAt,
            row.Body, html, row.HeroPhoto, row.Contacts, row.Pledge, bodyPhotos));
    }
}
