using ContentApi.Api.Auth;
using ContentApi.Api.Editorial;
using ContentApi.Api.Reading;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Api.Articles;

/// <summary>Writing articles: editors write drafts (and the next version of published articles); publishers publish.</summary>
public static class ArticleWriteEndpoints
{
    public static void MapArticleWrites(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(ContentRoutes.Articles).WithTags("Articles: editing").RequireAuthorization(AuthSetup.Editor)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapPost("/", Create).WithName("createArticle").WithSummary("Create a draft article.").ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPut("/{id:guid}", Replace)
            .WithName("replaceArticle")
            .WithSummary("Replace an article's content. On a published article this writes its next version, which stays a draft until published.")
            .ProducesValidationProblem().ProducesConcurrencyProblems();
        group.MapPatch("/{id:guid}", Patch).Accepts<ArticleContent>(MergePatch.MediaType)
            .WithName("patchArticle")
            .WithSummary("Change some fields of an article (JSON Merge Patch).").ProducesValidationProblem().ProducesConcurrencyProblems();
        group.MapDelete("/{id:guid}", Delete)
            .WithName("deleteArticle")
            .WithSummary("Delete an article. Editors may delete drafts; published or archived articles need a publisher.")
            .ProducesConcurrencyProblems();

        var publishing = app.MapGroup($"{ContentRoutes.Articles}/{{id:guid}}").WithTags("Articles: editing").RequireAuthorization(AuthSetup.Publisher)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        publishing.MapPost("/publish", Publish)
            .WithName("publishArticle")
            .WithSummary("Publish the draft or the pending version. Refused (422) when a title, lead, body or a photo's alt text is missing. The answer's warnings (LIX above ContentQuality:LixWarningThreshold, accessibility checks with the block they concern) refuse nothing.")
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        publishing.MapPost("/unpublish", (ContentDbContext db, HttpContext context, TimeProvider clock, Guid id, CancellationToken ct) =>
                Withdraw(db, context, clock, id, ContentStatus.Draft, "unpublished", ct))
            .WithName("unpublishArticle")
            .WithSummary("Take a published or archived article back to draft.");
        publishing.MapPost("/archive", (ContentDbContext db, HttpContext context, TimeProvider clock, Guid id, CancellationToken ct) =>
                Withdraw(db, context, clock, id, ContentStatus.Archived, "archived", ct))
            .WithName("archiveArticle")
            .WithSummary("Archive an article: it leaves the site but is kept.");

        app.MapRevisions(ContentRoutes.Articles, ContentKind.Article, "Articles: editing", async (db, context, id, snapshot, action, ct) =>
        {
            // A revision holds the live content and any pending version; the newest of the two is what is restored.
            var content = (snapshot["pending"] ?? snapshot["content"]).Deserialize<ArticleContent>(RevisionLog.Json)!;
            return await SaveAsync(db, context, id, _ => (content, null), action, ct);
        });
    }

    private static async Task<Results<Created<ArticleDto>, ValidationProblem, ProblemHttpResult>> Create(
        ContentDbContext db, HttpContext context, TimeProvider clock, ArticleContent input, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var article = Article.NewDraft(Guid.NewGuid(), now);
        db.Articles.Add(article);
        var failure = await WriteContentAsync(db, context, article, input, "created", ct);
        if (failure is not null)
            return failure.Value.Match<Results<Created<ArticleDto>, ValidationProblem, ProblemHttpResult>>(v => v, p => p);
        await db.SaveChangesAsync(ct);
        Concurrency.SetETag(context, article.Version);
        return TypedResults.Created($"/api/articles/{article.Id}", await AnswerAsync(context, article.Id, ct));
    }

    private static async Task<Results<Ok<ArticleDto>, ValidationProblem, ProblemHttpResult>> Replace(
        ContentDbContext db, HttpContext context, Guid id, ArticleContent input, CancellationToken ct) =>
        await SaveAsync(db, context, id, _ => (input, null), "updated", ct);

    private static async Task<Results<Ok<ArticleDto>, ValidationProblem, ProblemHttpResult>> Patch(
        ContentDbContext db, HttpContext context, Guid id, CancellationToken ct)
    {
        var (patch, error) = await MergePatch.ReadAsync(context.Request, ct);
        if (patch is null)
            return BadRequest(error!);
        return await SaveAsync(db, context, id, article => MergePatch.Merge(article.EditableContent(), patch), "updated", ct);
    }

    /// <summary>Loads the article, checks If-Match, builds the new content from the current one, validates and saves.</summary>
    internal static async Task<Results<Ok<ArticleDto>, ValidationProblem, ProblemHttpResult>> SaveAsync(
        ContentDbContext db, HttpContext context, Guid id, Func<Article, (ArticleContent? Content, string? Error)> change,
        string action, CancellationToken ct)
    {
        var article = await db.Articles.IgnoreQueryFilters().Include(a => a.Contacts).FirstOrDefaultAsync(a => a.Id == id, ct);
        if (article is null)
            return NotFound(id);
        if (Concurrency.CheckIfMatch(context, article.Version) is { } precondition)
            return precondition;
        var (content, error) = change(article);
        if (content is null)
            return BadRequest(error!);
        var failure = await WriteContentAsync(db, context, article, content, action, ct);
        if (failure is not null)
            return failure.Value.Match<Results<Ok<ArticleDto>, ValidationProblem, ProblemHttpResult>>(v => v, p => p);
        if (await Concurrency.SaveAsync(db, context, () => CurrentVersion(db, id), ct) is { } stale)
            return stale;
        Concurrency.SetETag(context, article.Version);
        return TypedResults.Ok(await AnswerAsync(context, article.Id, ct));
    }

    /// <summary>Validates content and puts it in place: live for drafts, pending for published articles.</summary>
    private static async Task<OneOf?> WriteContentAsync(
        ContentDbContext db, HttpContext context, Article article, ArticleContent content, string action, CancellationToken ct)
    {
        var errors = content.Validate();
        await ArticleChecks.ReferencesAsync(db, content, errors, ct);
        if (!errors.IsEmpty)
            return new OneOf(TypedResults.ValidationProblem(errors.ToDictionary(), detail: errors.ToString()), null);

        var slug = await SlugFor(db, article, content, ct);
        if (slug is null)
            return new OneOf(null, TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Slug taken",
                detail: $"The slug '{content.Slug}' belongs to another article; choose another."));

        var before = article.Version == 0 ? null : RevisionLog.Snapshot(ArticlePublishing.Snapshot(article));
        List<Contact> contacts = [];
        if (article.Status != ContentStatus.Published)
        {
            contacts = await db.Contacts.IgnoreQueryFilters().Where(c => content.ContactIds.Contains(c.Id)).ToListAsync(ct);
            // Checked above, but deleted since: saving without it would drop it silently.
            if (contacts.Count != content.ContactIds.Count)
                return new OneOf(null, TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflicting write",
                    detail: "A contact in contactIds was deleted at the same moment; nothing was saved. Read the current state and try again."));
        }
        article.Write(content, slug, contacts);
        RevisionLog.Add(db, context, ContentKind.Article, article.Id, article.Version, action, before,
            RevisionLog.Snapshot(ArticlePublishing.Snapshot(article)));
        return null;
    }

    /// <summary>
    /// The slug to use: the one given (null when another article has it), else the current one once the article has
    /// been public, else one made from the title, numbered when taken.
    /// </summary>
    private static async Task<string?> SlugFor(ContentDbContext db, Article article, ArticleContent content, CancellationToken ct)
    {
        async Task<bool> Taken(string slug) =>
            await db.Articles.IgnoreQueryFilters().AnyAsync(a => a.Slug == slug && a.Id != article.Id, ct)
            || await db.SlugRedirects.AnyAsync(r => r.OldSlug == slug && r.ArticleId != article.Id, ct);

        if (content.Slug is { } given)
            return await Taken(given) ? null : given;
        if (article.PublishedAt is not null && article.Slug.Length > 0)
            return article.PendingChanges?.Slug ?? article.Slug;
        var baseSlug = Slug.FromTitle(content.Title);
        var candidate = baseSlug;
        for (var n = 2; await Taken(candidate); n++)
            candidate = $"{baseSlug}-{n}";
        return candidate;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(ContentDbContext db, HttpContext context, Guid id, CancellationToken ct)
    {
        var article = await db.Articles.IgnoreQueryFilters().FirstOrDefaultAsync(a => a.Id == id, ct);
        if (article is null)
            return NotFound(id);
        if (Concurrency.CheckIfMatch(context, article.Version) is { } precondition)
            return precondition;
        if (article.Status != ContentStatus.Draft && !context.User.IsInRole(Roles.Publisher))
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                detail: "Only a publisher may delete an article that has been published or archived.");
        var before = RevisionLog.Snapshot(ArticlePublishing.Snapshot(article));
        db.Articles.Remove(article);
        RevisionLog.Add(db, context, ContentKind.Article, id, article.Version + 1, "deleted", before, new System.Text.Json.Nodes.JsonObject());
        if (await Concurrency.SaveAsync(db, context, () => CurrentVersion(db, id), ct) is { } stale)
            return stale;
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<ArticleDto>, ProblemHttpResult>> Publish(
        ContentDbContext db, HttpContext context, TimeProvider clock, Guid id, CancellationToken ct)
    {
        var article = await db.Articles.IgnoreQueryFilters().Include(a => a.Contacts).FirstOrDefaultAsync(a => a.Id == id, ct);
        if (article is null)
            return NotFound(id);
        if (Concurrency.CheckIfMatch(context, article.Version, required: false) is { } precondition)
            return precondition;
        var before = RevisionLog.Snapshot(ArticlePublishing.Snapshot(article));
        var errors = await ArticlePublishing.PublishAsync(db, article, clock.GetUtcNow(), ct);
        if (!errors.IsEmpty)
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Not ready to publish",
                detail: errors.ToString(), extensions: new Dictionary<string, object?> { ["errors"] = errors.ToDictionary() });
        RevisionLog.Add(db, context, ContentKind.Article, id, article.Version, "published", before,
            RevisionLog.Snapshot(ArticlePublishing.Snapshot(article)));
        if (await Concurrency.SaveAsync(db, context, () => CurrentVersion(db, id), ct) is { } stale)
            return stale;
        Concurrency.SetETag(context, article.Version);
        return TypedResults.Ok(await AnswerAsync(context, article.Id, ct));
    }

    private static async Task<Results<Ok<ArticleDto>, ProblemHttpResult>> Withdraw(
        ContentDbContext db, HttpContext context, TimeProvider clock, Guid id, ContentStatus to, string action, CancellationToken ct)
    {
        var article = await db.Articles.IgnoreQueryFilters().Include(a => a.Contacts).FirstOrDefaultAsync(a => a.Id == id, ct);
        if (article is null)
            return NotFound(id);
        if (Concurrency.CheckIfMatch(context, article.Version, required: false) is { } precondition)
            return precondition;
        var before = RevisionLog.Snapshot(ArticlePublishing.Snapshot(article));
        await ArticlePublishing.WithdrawAsync(db, article, to, clock.GetUtcNow(), ct);
        RevisionLog.Add(db, context, ContentKind.Article, id, article.Version, action, before,
            RevisionLog.Snapshot(ArticlePublishing.Snapshot(article)));
        if (await Concurrency.SaveAsync(db, context, () => CurrentVersion(db, id), ct) is { } stale)
            return stale;
        Concurrency.SetETag(context, article.Version);
        return TypedResults.Ok(await AnswerAsync(context, article.Id, ct));
    }

    /// <summary>A write is answered with the article as its writer now reads it (the preview face).</summary>
    private static async Task<ArticleDto> AnswerAsync(HttpContext context, Guid id, CancellationToken ct) =>
        (await ArticleEndpoints.ReadAsync(ContentReader.For(context), id, ct))!;

    internal static Task<int?> CurrentVersion(ContentDbContext db, Guid id) =>
        db.Articles.IgnoreQueryFilters().Where(a => a.Id == id).Select(a => (int?)a.Version).FirstOrDefaultAsync();

    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Article not found", detail: $"There is no article with id {id}.");

    private static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request", detail: detail);

    /// <summary>Either a validation problem or another problem.</summary>
    private readonly record struct OneOf(ValidationProblem? Validation, ProblemHttpResult? Problem)
    {
        public T Match<T>(Func<ValidationProblem, T> validation, Func<ProblemHttpResult, T> problem) =>
            Validation is not null ? validation(Validation) : problem(Problem!);
    }
}
