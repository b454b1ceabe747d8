using ContentApi.Api.Articles;
using ContentApi.Api.Hosting;
using ContentApi.Api.Photos;
using ContentApi.Api.Reading;
using ContentApi.Domain;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ContentApi.Api.Feeds;

/// <summary>
/// RSS 2.0 and Atom 1.0 feeds of the newest published articles, all or with one tag. Feeds are public by nature: they
/// read the delivery face whoever asks (<see cref="ContentReader.Public"/>), so not even an editor's key shows a draft
/// in one. Anonymous answers are stored, revalidated by ETag and evicted like every other read
/// (<see cref="ContentRoutes.Showing"/>: a saved article or photo evicts them).
/// </summary>
public static class FeedEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 100;
    /// <summary>Wide enough for a feed reader's column, a fraction of the original's bytes.</summary>
    private const int PictureWidth = 960;

    private enum Format { Rss, Atom }

    public static void AddFeeds(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SiteOptions>().BindConfiguration(SiteOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SiteOptions>, SiteOptionsValidation>();
    }

    public static void MapFeeds(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(ContentRoutes.Feeds).WithTags("Feeds").WithMetadata(new PublicFaceOnly());
        Describe(group.MapGet("/articles.rss", ArticlesRss), "getArticlesRss", Format.Rss,
            "The newest published articles as RSS 2.0, newest first.");
        Describe(group.MapGet("/articles.atom", ArticlesAtom), "getArticlesAtom", Format.Atom,
            "The newest published articles as Atom 1.0, newest first.");
        Describe(group.MapGet("/tags/{tag}.rss", TagRss), "getTagRss", Format.Rss,
            "The newest published articles with one tag as RSS 2.0, e.g. /api/feeds/tags/trygghet.rss.");
        Describe(group.MapGet("/tags/{tag}.atom", TagAtom), "getTagAtom", Format.Atom,
            "The newest published articles with one tag as Atom 1.0, e.g. /api/feeds/tags/trygghet.atom.");
    }

    private static void Describe(RouteHandlerBuilder route, string name, Format format, string summary) =>
        route.WithName(name).WithSummary(summary)
            .Produces<string>(StatusCodes.Status200OK, format == Format.Rss ? "application/rss+xml" : "application/atom+xml")
            .Produces(StatusCodes.Status304NotModified)
            .AllowQuery("limit");

    /// <param name="context"></param>
    /// <param name="limit">How many articles, 1 to 100 (default 50).</param>
    /// <param name="ct"></param>
    private static Task<Results<FileContentHttpResult, ValidationProblem>> ArticlesRss(HttpContext context, int? limit, CancellationToken ct) =>
        AnswerAsync(context, null, Format.Rss, limit, ct);

    /// <param name="context"></param>
    /// <param name="limit">How many articles, 1 to 100 (default 50).</param>
    /// <param name="ct"></param>
    private static Task<Results<FileContentHttpResult, ValidationProblem>> ArticlesAtom(HttpContext context, int? limit, CancellationToken ct) =>
        AnswerAsync(context, null, Format.Atom, limit, ct);

    /// <param name="context"></param>
    /// <param name="tag">The tag, as articles carry it, e.g. "trygghet" (at most 50 characters).</param>
    /// <param name="limit">How many articles, 1 to 100 (default 50).</param>
    /// <param name="ct"></param>
    private static Task<Results<FileContentHttpResult, ValidationProblem>> TagRss(HttpContext context, string tag, int? limit, CancellationToken ct) =>
        AnswerAsync(context, tag, Format.Rss, limit, ct);

    /// <param name="context"></param>
    /// <param name="tag">The tag, as articles carry it, e.g. "trygghet" (at most 50 characters).</param>
    /// <param name="limit">How many articles, 1 to 100 (default 50).</param>
    /// <param name="ct"></param>
    private static Task<Results<FileContentHttpResult, ValidationProblem>> TagAtom(HttpContext context, string tag, int? limit, CancellationToken ct) =>
        AnswerAsync(context, tag, Format.Atom, limit, ct);

    private static async Task<Results<FileContentHttpResult, ValidationProblem>> AnswerAsync(
        HttpContext context, string? tag, Format format, int? limit, CancellationToken ct)
    {
        if (Validate(tag, limit) is { } problem)
            return problem;
        var query = ContentReader.Public(context).Articles;
        if (tag is not null)
            query = query.Where(a => a.Tags.Contains(tag));
        // The order and projection of the article list, so the same index serves both.
        var articles = await query.OrderByDescending(a => a.PublishedAt).ThenByDescending(a => a.Id).Take(limit ?? DefaultLimit)
            .Select(ArticleSummaryDto.Projection).ToListAsync(ct);
        var feed = Build(context.Request, context.RequestServices.GetRequiredService<IOptions<SiteOptions>>().Value, tag, format, limit, articles);
        return format == Format.Rss
            ? TypedResults.Bytes(FeedWriter.Rss(feed), FeedWriter.RssContentType)
            : TypedResults.Bytes(FeedWriter.Atom(feed), FeedWriter.AtomContentType);
    }

    private static ValidationProblem? Validate(string? tag, int? limit)
    {
        var errors = new Dictionary<string, string[]>();
        if (tag is not null && (string.IsNullOrWhiteSpace(tag) || tag.Length > Article.TagMaxLength || tag.Any(char.IsControl)))
            errors["tag"] = [$"A tag is 1 to {Article.TagMaxLength} characters of text, not blank and without control characters, "
                + $"e.g. /api/feeds/tags/trygghet.rss (got {tag.Length} characters)."];
        if (limit is < 1 or > MaxLimit)
            errors["limit"] = [$"limit must be between 1 and {MaxLimit} (got {limit})."];
        return errors.Count == 0 ? null : TypedResults.ValidationProblem(errors, detail: string.Join(" ", errors.Values.SelectMany(e => e)));
    }

    /// <summary>The JPEG rendition feed readers show: the widest up to <see cref="PictureWidth"/> pixels.</summary>
    private static FeedPicture Picture(PhotoDto photo, Func<string, string> absolute)
    {
        var rendition = photo.JpegUpTo(PictureWidth);
        return new FeedPicture(absolute(rendition.Url), rendition.Width, photo.HeightAt(rendition.Width),
            photo.Decorative ? null : photo.AltText);
    }

    /// <summary>
    /// The feed with every address absolute: the API's own from the request's scheme, host and path base (the public
    /// address, when PublicBaseUrl is set), the articles' pages from <see cref="SiteOptions.ArticleUrlTemplate"/>.
    /// </summary>
    private static Feed Build(HttpRequest request, SiteOptions site, string? tag, Format format, int? limit, List<ArticleSummaryDto> articles)
    {
        string Absolute(string path) => UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, path);
        var path = tag is null ? $"{ContentRoutes.Feeds}/articles" : $"{ContentRoutes.Feeds}/tags/{Uri.EscapeDataString(tag)}";
        var extension = format == Format.Rss ? ".rss" : ".atom";
        var siteUrl = string.IsNullOrWhiteSpace(site.Url) ? Absolute("/") : site.Url;
        var entries = articles.Select(a => new FeedEntry(
            a.Id, a.Title, site.ArticleUrl(a.Id, a.Slug) ?? Absolute($"{ContentRoutes.Articles}/{a.Id}"), a.Lead,
            a.PublishedAt ?? a.UpdatedAt, a.UpdatedAt, a.Tags,
            a.HeroPhoto is { } hero ? new FeedEnclosure(Absolute(PhotoEndpoints.FileUrl(hero.Id)), hero.MediaType, hero.ByteSize) : null,
            a.HeroPhoto is { } shown ? Picture(shown, Absolute) : null)).ToList();
        return new Feed(
            Id: Absolute(path + extension),
            Title: tag is null ? $"{site.Name}: nyheter" : $"{site.Name}: nyheter om {tag}",
            Description: tag is null
                ? $"De senaste nyheterna från {site.Name}."
                : $"De senaste nyheterna från {site.Name} med taggen \"{tag}\".",
            SelfUrl: Absolute(path + extension) + (limit is { } n ? $"?limit={n}" : ""),
            SiteUrl: siteUrl, Author: site.Name,
            Updated: entries.Count == 0 ? null : entries.Max(e => e.Updated),
            Entries: entries);
    }
}
