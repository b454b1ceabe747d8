using System.Text.Json;
using ContentApi.Api.Auth;
using ContentApi.Api.Editorial;
using ContentApi.Api.Reading;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Api.Pledges;

/// <summary>What an editor writes in a pledge: everything but its status and timestamps. Lists may be left out.</summary>
public record PledgeInput(
    int Year, string Title, string? Summary, List<string>? Parties, List<Signatory>? Signatories, DateOnly? SignedOn,
    DateOnly ValidFrom, DateOnly ValidTo, List<string>? Basis, List<PriorityArea>? PriorityAreas,
    List<OngoingEffort>? OngoingEfforts, Guid? PhotoId, Guid? ContactId)
{
    public PledgeContent ToContent() => new()
    {
        Year = Year, Title = Title?.Trim() ?? "", Summary = Summary ?? "", Parties = Parties ?? [], Signatories = Signatories ?? [],
        SignedOn = SignedOn, ValidFrom = ValidFrom, ValidTo = ValidTo, Basis = Basis ?? [], PriorityAreas = PriorityAreas ?? [],
        OngoingEfforts = OngoingEfforts ?? [], PhotoId = PhotoId, ContactId = ContactId,
    };

    public static PledgeInput From(PledgeContent c) => new(c.Year, c.Title, c.Summary, c.Parties, c.Signatories, c.SignedOn,
        c.ValidFrom, c.ValidTo, c.Basis, c.PriorityAreas, c.OngoingEfforts, c.PhotoId, c.ContactId);
}

/// <summary>
/// Writing pledges, as articles: editors write drafts and the next version of published pledges (commitment progress
/// included), which readers see once a publisher publishes it.
/// </summary>
public static class PledgeWriteEndpoints
{
    public static void MapPledgeWrites(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(ContentRoutes.Pledges).WithTags("Pledges: editing").RequireAuthorization(AuthSetup.Editor)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapPost("/", Create).WithName("createPledge").WithSummary("Create a draft pledge (one per year).")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPut("/{id:guid}", (ContentDbContext db, HttpContext context, Guid id, PledgeInput input, CancellationToken ct) =>
                SaveAsync(db, context, id, _ => (input.ToContent(), null), "updated", ct))
            .WithName("replacePledge")
            .WithSummary("Replace a pledge, e.g. to move a commitment to InProgress or Done. On a published pledge this writes its next version, which readers see once it is published. A commitment keeps its id when sent with it (or with the same text).")
            .ProducesValidationProblem().ProducesConcurrencyProblems().ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPatch("/{id:guid}", Patch).Accepts<PledgeInput>(MergePatch.MediaType)
            .WithName("patchPledge")
            .WithSummary("Change some fields of a pledge (JSON Merge Patch; lists are replaced whole). On a published pledge this writes its next version.")
            .ProducesValidationProblem().ProducesConcurrencyProblems();
        group.MapDelete("/{id:guid}", Delete)
            .WithName("deletePledge")
            .WithSummary("Delete a pledge. Editors may delete drafts; published or archived pledges need a publisher.")
            .ProducesConcurrencyProblems();

        var publishing = app.MapGroup($"{ContentRoutes.Pledges}/{{id:guid}}").WithTags("Pledges: editing").RequireAuthorization(AuthSetup.Publisher)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        publishing.MapPost("/publish", (ContentDbContext db, HttpContext context, Guid id, CancellationToken ct) =>
                ChangeStatusAsync(db, context, id, ContentStatus.Published, ct))
            .WithName("publishPledge")
            .WithSummary("Publish the draft or the pending version. Refused (422) when it lacks a summary, a priority area, or alt text on its photo.")
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        publishing.MapPost("/unpublish", (ContentDbContext db, HttpContext context, Guid id, CancellationToken ct) =>
                ChangeStatusAsync(db, context, id, ContentStatus.Draft, ct))
            .WithName("unpublishPledge").WithSummary("Take a pledge back to draft.");
        publishing.MapPost("/archive", (ContentDbContext db, HttpContext context, Guid id, CancellationToken ct) =>
                ChangeStatusAsync(db, context, id, ContentStatus.Archived, ct))
            .WithName("archivePledge").WithSummary("Archive a pledge.");

        app.MapRevisions(ContentRoutes.Pledges, ContentKind.Pledge, "Pledges: editing", async (db, context, id, snapshot, action, ct) =>
        {
            // A revision holds the live content and any pending version; the newest of the two is what is restored.
            var content = (snapshot["pending"] ?? snapshot["content"]).Deserialize<PledgeContent>(RevisionLog.Json)!;
            return await SaveAsync(db, context, id, _ => (content, null), action, ct);
        });
    }

    /// <summary>The editable state a revision keeps.</summary>
    public static object Snapshot(Pledge p) => new
    {
        p.Status, p.PublishedAt, p.UpdatedAt, Content = p.LiveContent(), Pending = p.PendingChanges,
    };

    private static async Task<ValidationErrors> CheckAsync(ContentDbContext db, PledgeContent content, CancellationToken ct)
    {
        var errors = content.Validate();
        if (content.PhotoId is { } photo && !await db.Photos.IgnoreQueryFilters().AnyAsync(p => p.Id == photo, ct))
            errors.Add("photoId", $"There is no photo {photo}.");
        if (content.ContactId is { } contact && !await db.Contacts.IgnoreQueryFilters().AnyAsync(c => c.Id == contact, ct))
            errors.Add("contactId", $"There is no contact {contact}.");
        return errors;
    }

    private static Task<bool> YearTaken(ContentDbContext db, int year, Guid id, CancellationToken ct) =>
        db.Pledges.IgnoreQueryFilters().AnyAsync(p => p.Year == year && p.Id != id, ct);

    private static ProblemHttpResult YearConflict(int year) => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
        title: "Year taken", detail: $"There is already a pledge for {year}; change that one instead.");

    private static async Task<Results<Created<PledgeDto>, ValidationProblem, ProblemHttpResult>> Create(
        ContentDbContext db, HttpContext context, TimeProvider clock, PledgeInput input, CancellationToken ct)
    {
        var content = input.ToContent();
        var errors = await CheckAsync(db, content, ct);
        if (!errors.IsEmpty)
            return TypedResults.ValidationProblem(errors.ToDictionary(), detail: errors.ToString());
        if (await YearTaken(db, content.Year, Guid.Empty, ct))
            return YearConflict(content.Year);
        var pledge = Pledge.NewDraft(Guid.NewGuid(), clock.GetUtcNow());
        pledge.Write(content);
        db.Pledges.Add(pledge);
        RevisionLog.Add(db, context, ContentKind.Pledge, pledge.Id, pledge.Version, "created", null, RevisionLog.Snapshot(Snapshot(pledge)));
        await db.SaveChangesAsync(ct);
        Concurrency.SetETag(context, pledge.Version);
        return TypedResults.Created($"/api/pledges/{pledge.Id}", await AnswerAsync(context, pledge.Id, ct));
    }

    private static async Task<Results<Ok<PledgeDto>, ValidationProblem, ProblemHttpResult>> Patch(
        ContentDbContext db, HttpContext context, Guid id, CancellationToken ct)
    {
        var (patch, error) = await MergePatch.ReadAsync(context.Request, ct);
        if (patch is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request", detail: error);
        return await SaveAsync(db, context, id, pledge =>
        {
            var (merged, mergeError) = MergePatch.Merge(PledgeInput.From(pledge.EditableContent()), patch);
            return (merged?.ToContent(), mergeError);
        }, "updated", ct);
    }

    /// <summary>Loads the pledge, checks If-Match, builds the new content from the current one, validates and saves.</summary>
    private static async Task<Results<Ok<PledgeDto>, ValidationProblem, ProblemHttpResult>> SaveAsync(ContentDbContext db, HttpContext context, Guid id,
        Func<Pledge, (PledgeContent? Content, string? Error)> change, string action, CancellationToken ct)
    {
        var pledge = await db.Pledges.IgnoreQueryFilters().FirstOrDefaultAsync(p => p.Id == id, ct);
        if (pledge is null)
            return NotFound(id);
        if (Concurrency.CheckIfMatch(context, pledge.Version) is { } precondition)
            return precondition;
        var (content, error) = change(pledge);
        if (content is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request", detail: error);
        var errors = await CheckAsync(db, content, ct);
        if (!errors.IsEmpty)
            return TypedResults.ValidationProblem(errors.ToDictionary(), detail: errors.ToString());
        if (await YearTaken(db, content.Year, id, ct))
            return YearConflict(content.Year);
        var before = RevisionLog.Snapshot(Snapshot(pledge));
        pledge.Write(content);
        RevisionLog.Add(db, context, ContentKind.Pledge, id, pledge.Version, action, before, RevisionLog.Snapshot(Snapshot(pledge)));
        if (await Concurrency.SaveAsync(db, context, () => CurrentVersion(db, id), ct) is { } stale)
            return stale;
        Concurrency.SetETag(context, pledge.Version);
        return TypedResults.Ok(await AnswerAsync(context, id, ct));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(ContentDbContext db, HttpContext context, Guid id, CancellationToken ct)
    {
        var pledge = await db.Pledges.IgnoreQueryFilters().FirstOrDefaultAsync(p => p.Id == id, ct);
        if (pledge is null)
            return NotFound(id);
        if (pledge.Status != ContentStatus.Draft && !context.User.IsInRole(Roles.Publisher))
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                detail: "Only a publisher may delete a pledge that has been published or archived.");
        return await Editing.DeleteAsync(db, context, pledge, ContentKind.Pledge, Snapshot, ct) is ProblemHttpResult problem
            ? problem : TypedResults.NoContent();
    }

    private static async Task<Results<Ok<PledgeDto>, ProblemHttpResult>> ChangeStatusAsync(
        ContentDbContext db, HttpContext context, Guid id, ContentStatus to, CancellationToken ct)
    {
        var pledge = await db.Pledges.IgnoreQueryFilters().FirstOrDefaultAsync(p => p.Id == id, ct);
        if (pledge is null)
            return NotFound(id);
        if (Concurrency.CheckIfMatch(context, pledge.Version, required: false) is { } precondition)
            return precondition;
        var before = RevisionLog.Snapshot(Snapshot(pledge));
        var refusal = await PledgePublishing.ChangeStatusAsync(db, pledge, to, context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow(), ct);
        if (!refusal.IsEmpty)
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Not ready to publish",
                detail: refusal.ToString(), extensions: new Dictionary<string, object?> { ["errors"] = refusal.ToDictionary() });
        RevisionLog.Add(db, context, ContentKind.Pledge, id, pledge.Version, PledgePublishing.Action(to), before, RevisionLog.Snapshot(Snapshot(pledge)));
        if (await Concurrency.SaveAsync(db, context, () => CurrentVersion(db, id), ct) is { } stale)
            return stale;
        Concurrency.SetETag(context, pledge.Version);
        return TypedResults.Ok(await AnswerAsync(context, id, ct));
    }

    /// <summary>A write is answered with the pledge as its writer now reads it (the preview face).</summary>
    private static async Task<PledgeDto> AnswerAsync(HttpContext context, Guid id, CancellationToken ct) =>
        (await PledgeEndpoints.ReadAsync(ContentReader.For(context), id, ct))!;

    private static Task<int?> CurrentVersion(ContentDbContext db, Guid id) =>
        db.Pledges.IgnoreQueryFilters().Where(p => p.Id == id).Select(p => (int?)p.Version).FirstOrDefaultAsync();

    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Pledge not found", detail: $"There is no pledge with id {id}.");
}

/// <summary>The checks a status change needs from the database, shared by the endpoints and the schedule runner.</summary>
public static class PledgePublishing
{
    public static string Action(ContentStatus to) => to switch
    {
        ContentStatus.Published => "published",
        ContentStatus.Archived => "archived",
        _ => "unpublished",
    };

    /// <summary>Moves a pledge to another status; publishing is refused, with reasons, when the pledge is not ready.</summary>
    public static async Task<ValidationErrors> ChangeStatusAsync(ContentDbContext db, Pledge pledge, ContentStatus to, DateTimeOffset now, CancellationToken ct)
    {
        if (to != ContentStatus.Published)
        {
            pledge.Withdraw(to, now);
            return new ValidationErrors();
        }
        var content = pledge.EditableContent();
        var errors = content.ValidateForPublishing();
        if (content.PhotoId is { } photoId && await db.Photos.IgnoreQueryFilters().FirstOrDefaultAsync(p => p.Id == photoId, ct) is { HasTextAlternative: false })
            errors.Add($"photos[{photoId}]", $"Photo {photoId} has no usable alt text. Describe what it shows, or mark it decorative, before publishing (DOS-lagen).");
        if (await db.Pledges.IgnoreQueryFilters().AnyAsync(p => p.Year == content.Year && p.Id != pledge.Id, ct))
            errors.Add("year", $"There is already a pledge for {content.Year}.");
        if (errors.IsEmpty)
            pledge.Publish(now);
        return errors;
    }
}
