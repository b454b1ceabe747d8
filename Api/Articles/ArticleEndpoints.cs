using ContentApi.Api.Hosting;
using ContentApi.Api.Photos;
using ContentApi.Api.Reading;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Api.Articles;

public static class ArticleEndpoints
{
    public static void MapArticles(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(ContentRoutes.Articles).WithTags("Articles");

        group.MapGet("/", ListArticles)
            .WithName("listArticles")
            .WithSummary("Published articles, newest first, optionally with one or more tags (all of them).")
            .AllowQuery("tag", "status", "page", "pageSize");
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
    /// <param name="page">1-based page number.</param>
    /// <param name="pageSize">Articles per page, 1 to 100 (default 20).</param>
    /// <param name="ct"></param>
    private static async Task<Results<Ok<PagedList<ArticleSummaryDto>>, ValidationProblem>> ListArticles(
        ContentReader reader, HttpRequest request, string[]? tag, ContentStatus? status,
        int page = 1, int pageSize = Paging.DefaultPageSize, CancellationToken ct = default)
    {
        if (Paging.Validate(page, pageSize) is { } problem)
            return problem;

        var query = reader.Articles;
        if (status is not null)
            query = query.Where(a => a.Status == status);
        foreach (var t in (tag ?? []).Where(t => !string.IsNullOrWhiteSpace(t)).Distinct())
            query = query.Where(a => a.Tags.Contains(t));

        var total = await query.CountAsync(ct);
        var items = await query
            .OrderByDescending(a => a.PublishedAt).ThenByDescending(a => a.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(ArticleSummaryDto.Projection)
            .ToListAsync(ct);
        return TypedResults.Ok(new PagedList<ArticleSummaryDto>(
            items, page, pageSize, total, Paging.NextPageLink(request, page, pageSize, total)));
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
    /// (a compiled query is bound to one model, so each face's model has its own). The face's filters decide what is
    /// seen, with the same skip of per-row photo and contact checks as <see cref="ContentReader.Articles"/>. The article
    /// reads are prepared on the read connections (<see cref="PreparedReads"/>).
    /// </summary>
    private sealed class Queries
    {
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Microsoft.EntityFrameworkCore.Metadata.IModel, Queries> ByModel = [];

        public static Queries Of(ContentReader reader) => ByModel.GetValue(reader.Db.Model, _ => new Queries());

        public readonly Func<ContentDbContext, Guid, CancellationToken, Task<ArticleRow?>> ById =
            EF.CompileAsyncQuery((ContentDbContext db, Guid id, CancellationToken ct) => db.Articles.TagWith(PreparedReads.Tag)
                .IgnoreQueryFilters(ContentReader.UsedByPublished).AsNoTracking()
                .Where(a => a.Id == id).Select(ArticleRow.Projection).FirstOrDefault());

        public readonly Func<ContentDbContext, string, CancellationToken, Task<ArticleRow?>> BySlug =
            EF.CompileAsyncQuery((ContentDbContext db, string slug, CancellationToken ct) => db.Articles.TagWith(PreparedReads.Tag)
                .IgnoreQueryFilters(ContentReader.UsedByPublished).AsNoTracking()
                .Where(a => a.Slug == slug).Select(ArticleRow.Projection).FirstOrDefault());

        public readonly Func<ContentDbContext, List<Guid>, IAsyncEnumerable<PhotoDto>> PhotosById =
            EF.CompileAsyncQuery((ContentDbContext db, List<Guid> ids) => db.Photos.IgnoreQueryFilters().AsNoTracking()
                .Where(p => ids.Contains(p.Id)).Select(PhotoDto.Projection));
    }

    private static async Task<ArticleDto> BuildAsync(ContentReader reader, ArticleRow row, CancellationToken ct)
    {
        var photoIds = row.Body.Where(b => b.Type == BlockType.Image && b.PhotoId is not null).Select(b => b.PhotoId!.Value).Distinct().ToList();
        List<PhotoDto> bodyPhotos = [];
        if (photoIds.Count > 0)
            await foreach (var photo in Queries.Of(reader).PhotosById(reader.Db, photoIds).WithCancellation(ct))
                bodyPhotos.Add(photo);
        var html = BodyHtml.Render(row.Body, bodyPhotos.ToDictionary(p => p.Id));
        return new ArticleDto(
            row.Id, row.Slug, row.Title, row.Lead, row.Summary, row.Tags, row.Status, row.PublishedAt, row.UpdatedAt,
            row.Body, html, row.HeroPhoto, row.Contacts, row.Pledge, bodyPhotos, row.HasPendingChanges);
    }
}
