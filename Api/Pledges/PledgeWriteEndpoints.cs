using System.Text.Json;
using ContentApi.Api.Auth;
using ContentApi.Api.Editorial;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Api.Pledges;

/// <summary>What an editor writes in a pledge: everything but its status and timestamps.</summary>
public record PledgeInput(
    int Year, string Title, string? Summary, List<string>? Parties, List<Signatory>? Signatories, DateOnly? SignedOn,
    DateOnly ValidFrom, DateOnly ValidTo, List<string>? Basis, List<PriorityArea>? PriorityAreas,
    List<OngoingEffort>? OngoingEfforts, Guid? PhotoId, Guid? ContactId);

public static class PledgeWriteEndpoints
{
    public static void MapPledgeWrites(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/pledges").WithTags("Pledges: editing").RequireAuthorization(AuthSetup.Editor)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapPost("/", Create).WithName("createPledge").WithSummary("Create a draft pledge (one per year).")
            .Produces<PledgeDto>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPut("/{id:guid}", (ContentDbContext db, HttpContext context, Guid id, PledgeInput input, CancellationToken ct) =>
                Save(db, context, id, _ => (input, null), "updated", ct))
            .WithName("replacePledge")
            .WithSummary("Replace a pledge, e.g. to move a commitment to InProgress or Done. Changes to a published pledge show at once.")
            .Produces<PledgeDto>().ProducesValidationProblem().ProducesConcurrencyProblems().ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPatch("/{id:guid}", Patch).Accepts<PledgeInput>(MergePatch.MediaType)
            .WithName("patchPledge")
            .WithSummary("Change some fields of a pledge (JSON Merge Patch; lists are replaced whole).")
            .Produces<PledgeDto>().ProducesValidationProblem().ProducesConcurrencyProblems();
        group.MapDelete("/{id:guid}", Delete)
            .WithName("deletePledge")
            .WithSummary("Delete a pledge. Editors may delete drafts; published or archived pledges need a publisher.")
            .Produces(StatusCodes.Status204NoContent).ProducesConcurrencyProblems();

        var publishing = app.MapGroup("/api/pledges/{id:guid}").WithTags("Pledges: editing").RequireAuthorization(AuthSetup.Publisher)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        publishing.MapPost("/publish", (ContentDbContext db, HttpContext context, Guid id, CancellationToken ct) =>
                ChangeStatus(db, context, id, ContentStatus.Published, ct))
            .WithName("publishPledge")
            .WithSummary("Publish a pledge. Refused (422) when it lacks a summary, a priority area, or alt text on its photo.")
            .Produces<PledgeDto>().ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        publishing.MapPost("/unpublish", (ContentDbContext db, HttpContext context, Guid id, CancellationToken ct) =>
                ChangeStatus(db, context, id, ContentStatus.Draft, ct))
            .WithName("unpublishPledge").WithSummary("Take a pledge back to draft.").Produces<PledgeDto>();
        publishing.MapPost("/archive", (ContentDbContext db, HttpContext context, Guid id, CancellationToken ct) =>
                ChangeStatus(db, context, id, ContentStatus.Archived, ct))
            .WithName("archivePledge").WithSummary("Archive a pledge.").Produces<PledgeDto>();

        app.MapRevisions("/api/pledges", ContentKind.Pledge, "Pledges: editing", async (db, context, id, snapshot, action, ct) =>
            await Save(db, context, id, _ => (snapshot["content"].Deserialize<PledgeInput>(RevisionLog.Json), null), action, ct));
    }

    public static object Snapshot(Pledge p) => new { p.Status, p.PublishedAt, p.UpdatedAt, Content = Input(p) };

    private static PledgeInput Input(Pledge p) => new(p.Year, p.Title, p.Summary, p.Parties, p.Signatories, p.SignedOn,
        p.ValidFrom, p.ValidTo, p.Basis, p.PriorityAreas, p.OngoingEfforts, p.PhotoId, p.ContactId);

    private static async Task<ValidationErrors> ApplyAsync(ContentDbContext db, Pledge pledge, PledgeInput input, CancellationToken ct)
    {
        pledge.Year = input.Year;
        pledge.Title = input.Title?.Trim() ?? "";
        pledge.Summary = input.Summary ?? "";
        pledge.Parties = input.Parties ?? [];
        pledge.Signatories = input.Signatories ?? [];
        pledge.SignedOn = input.SignedOn;
        pledge.ValidFrom = input.ValidFrom;
        pledge.ValidTo = input.ValidTo;
        pledge.Basis = input.Basis ?? [];
        pledge.PriorityAreas = input.PriorityAreas ?? [];
        pledge.OngoingEfforts = input.OngoingEfforts ?? [];
        pledge.PhotoId = input.PhotoId;
        pledge.ContactId = input.ContactId;
        var errors = pledge.Validate();
        if (input.PhotoId is { } photo && !await db.Photos.IgnoreQueryFilters().AnyAsync(p => p.Id == photo, ct))
            errors.Add("photoId", $"There is no photo {photo}.");
        if (input.ContactId is { } contact && !await db.Contacts.IgnoreQueryFilters().AnyAsync(c => c.Id == contact, ct))
            errors.Add("contactId", $"There is no contact {contact}.");
        return errors;
    }

    private static Task<bool> YearTaken(ContentDbContext db, int year, Guid id, CancellationToken ct) =>
        db.Pledges.IgnoreQueryFilters().AnyAsync(p => p.Year == year && p.Id != id, ct);

    private static IResult YearConflict(int year) => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
        title: "Year taken", detail: $"There is already a pledge for {year}; change that one instead.");

    private static async Task<IResult> Create(ContentDbContext db, HttpContext context, TimeProvider clock, PledgeInput input, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var pledge = new Pledge { Id = Guid.NewGuid(), Status = ContentStatus.Draft, CreatedAt = now, UpdatedAt = now };
        var errors = await ApplyAsync(db, pledge, input, ct);
        if (errors.IsEmpty && await YearTaken(db, input.Year, pledge.Id, ct))
            return YearConflict(input.Year);
        if (await Editing.CreateAsync(db, context, pledge, ContentKind.Pledge, Snapshot, errors, ct) is { } problem)
            return problem;
        Concurrency.SetETag(context, pledge.Version);
        return TypedResults.Created($"/api/pledges/{pledge.Id}", await PledgeEndpoints.PreviewAsync(db, pledge.Id, clock, ct));
    }

    private static async Task<IResult> Patch(ContentDbContext db, HttpContext context, Guid id, CancellationToken ct)
    {
        var (patch, error) = await MergePatch.ReadAsync(context.Request, ct);
        if (patch is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request", detail: error);
        return await Save(db, context, id, pledge => MergePatch.Merge(Input(pledge), patch), "updated", ct);
    }

    private static async Task<IResult> Save(ContentDbContext db, HttpContext context, Guid id,
        Func<Pledge, (PledgeInput? Input, string? Error)> input, string action, CancellationToken ct)
    {
        var pledge = await db.Pledges.IgnoreQueryFilters().FirstOrDefaultAsync(p => p.Id == id, ct);
        if (pledge is null)
            return Editing.NotFound("Pledge", id);
        var (values, error) = input(pledge);
        if (values is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request", detail: error);
        if (await YearTaken(db, values.Year, id, ct))
            return YearConflict(values.Year);
        var clock = context.RequestServices.GetRequiredService<TimeProvider>();
        var problem = await Editing.SaveAsync(db, context, pledge, ContentKind.Pledge, action, Snapshot, async p =>
        {
            // Published content changes now, so the reader's "last updated" moves with it.
            if (p.Status == ContentStatus.Published)
                p.UpdatedAt = clock.GetUtcNow();
            return await ApplyAsync(db, p, values, ct);
        }, ct);
        if (problem is not null)
            return problem;
        Concurrency.SetETag(context, pledge.Version);
        return TypedResults.Ok(await PledgeEndpoints.PreviewAsync(db, id, clock, ct));
    }

    private static async Task<IResult> Delete(ContentDbContext db, HttpContext context, Guid id, CancellationToken ct)
    {
        var pledge = await db.Pledges.IgnoreQueryFilters().FirstOrDefaultAsync(p => p.Id == id, ct);
        if (pledge is null)
            return Editing.NotFound("Pledge", id);
        if (pledge.Status != ContentStatus.Draft && !context.User.IsInRole(Roles.Publisher))
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                detail: "Only a publisher may delete a pledge that has been published or archived.");
        return await Editing.DeleteAsync(db, context, pledge, ContentKind.Pledge, Snapshot, ct) ?? TypedResults.NoContent();
    }

    /// <summary>Publishes, unpublishes or archives; also used by the schedule runner through <see cref="PledgePublishing"/>.</summary>
    private static async Task<IResult> ChangeStatus(ContentDbContext db, HttpContext context, Guid id, ContentStatus to, CancellationToken ct)
    {
        var pledge = await db.Pledges.IgnoreQueryFilters().FirstOrDefaultAsync(p => p.Id == id, ct);
        if (pledge is null)
            return Editing.NotFound("Pledge", id);
        var clock = context.RequestServices.GetRequiredService<TimeProvider>();
        ValidationErrors? refusal = null;
        var problem = await Editing.SaveAsync(db, context, pledge, ContentKind.Pledge, to switch
        {
            ContentStatus.Published => "published",
            ContentStatus.Archived => "archived",
            _ => "unpublished",
        }, Snapshot, async p =>
        {
            refusal = await PledgePublishing.ChangeStatusAsync(db, p, to, clock.GetUtcNow(), ct);
            return refusal;
        }, ct, ifMatchRequired: false);
        if (refusal is { IsEmpty: false })
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Not ready to publish",
                detail: refusal.ToString(), extensions: new Dictionary<string, object?> { ["errors"] = refusal.ToDictionary() });
        if (problem is not null)
            return problem;
        Concurrency.SetETag(context, pledge.Version);
        return TypedResults.Ok(await PledgeEndpoints.PreviewAsync(db, id, clock, ct));
    }
}

public static class PledgePublishing
{
    /// <summary>Moves a pledge to another status; publishing is refused, with reasons, when the pledge is not ready.</summary>
    public static async Task<ValidationErrors> ChangeStatusAsync(ContentDbContext db, Pledge pledge, ContentStatus to, DateTimeOffset now, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (to == ContentStatus.Published)
        {
            errors = pledge.ValidateForPublishing();
            if (pledge.PhotoId is { } photoId && await db.Photos.IgnoreQueryFilters().FirstOrDefaultAsync(p => p.Id == photoId, ct) is { HasTextAlternative: false })
                errors.Add($"photos[{photoId}]", $"Photo {photoId} has no usable alt text. Describe what it shows, or mark it decorative, before publishing (DOS-lagen).");
            if (!errors.IsEmpty)
                return errors;
            pledge.PublishedAt ??= now;
        }
        if (to == ContentStatus.Published || pledge.Status == ContentStatus.Published)
            pledge.UpdatedAt = now;
        pledge.Status = to;
        return errors;
    }
}
