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
            .WithSummary("Published articles, newest first, optionally with a tag.")
            .ProducesValidationProblem();
        group.MapGet("/{id:guid}", GetArticleById)
            .WithSummary("One published article by id.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/by-slug/{slug}", GetArticleBySlug)
            .WithSummary("One published article by its slug, e.g. nytt-medborgarlofte-for-2024.")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    /// <param name="db"></param>
    /// <param name="request"></param>
    /// <param name="tag">Only articles with this tag, e.g. "trygghet".</param>
    /// <param name="page">1-based page number.</param>
    /// <param name="pageSize">Articles per page, 1 to 100 (default 20).</param>
    /// <param name="ct"></param>
    private static async Task<Results<Ok<PagedList<ArticleSummaryDto>>, ValidationProblem>> ListArticles(
        ContentDbContext db, HttpRequest request, string? tag, int page = 1, int pageSize = Paging.DefaultPageSize,
        CancellationToken ct = default)
    {
        if (Paging.Validate(page, pageSize) is { } problem)
            return problem;

        var query = db.Articles.AsNoTracking();
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

    private static Task<Results<Ok<ArticleDto>, ProblemHttpResult>> GetArticleById(ContentDbContext db, Guid id, CancellationToken ct) =>
        GetArticle(db, db.Articles.Where(a => a.Id == id), $"There is no published article with id {id}.", ct);

    private static Task<Results<Ok<ArticleDto>, ProblemHttpResult>> GetArticleBySlug(ContentDbContext db, string slug, CancellationToken ct) =>
        GetArticle(db, db.Articles.Where(a => a.Slug == slug), $"There is no published article with the slug '{(slug.Length > 100 ? slug[..100] + "…" : slug)}'.", ct);

    private static async Task<Results<Ok<ArticleDto>, ProblemHttpResult>> GetArticle(
        ContentDbContext db, IQueryable<Article> query, string notFound, CancellationToken ct)
    {
        var row = await query.AsNoTracking().Select(ArticleRow.Projection).FirstOrDefaultAsync(ct);
        if (row is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Article not found", detail: notFound);

        var photoIds = row.Body.Where(b => b.Type == BlockType.Image && b.PhotoId is not null).Select(b => b.PhotoId!.Value).Distinct().ToList();
        var bodyPhotos = photoIds.Count == 0
            ? []
            : await db.Photos.AsNoTracking().Where(p => photoIds.Contains(p.Id)).Select(PhotoDto.Projection).ToListAsync(ct);
        var html = BodyHtml.Render(row.Body, bodyPhotos.ToDictionary(p => p.Id));

        return TypedResults.Ok(new ArticleDto(
            row.Id, row.Slug, row.Title, row.Lead, row.Tags, row.Status, row.PublishedAt, row.UpdatedAt,
            row.Body, html, row.HeroPhoto is null ? null : PhotoDto.From(row.HeroPhoto), row.Contacts, row.Pledge, bodyPhotos));
    }
}
