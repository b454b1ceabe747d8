using System.Text.Json;
using ContentApi.Api.Auth;
using ContentApi.Api.Editorial;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Api.Contacts;

/// <summary>What an editor writes about a contact person. The phone may be written the Swedish way; it is stored as E.164.</summary>
public record ContactInput(string Name, string? Title, string? OrganisationalUnit, string? Email, string? Phone);

public static class ContactWriteEndpoints
{
    public static void MapContactWrites(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(ContentRoutes.Contacts).WithTags("Contacts: editing").RequireAuthorization(AuthSetup.Editor)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapGet("/", async (ContentDbContext db, CancellationToken ct) => TypedResults.Ok(await db.Contacts.IgnoreQueryFilters()
                .AsNoTracking().OrderBy(c => c.Name).Select(ContactDto.Projection).ToListAsync(ct)))
            .WithName("listContacts")
            .WithSummary("Every contact, used or not (editors).")
            .WithDescription("Sorted by name; for picking a contact to name in an article or a pledge.");
        group.MapPost("/", Create)
            .WithName("createContact")
            .WithSummary("Create a contact.")
            .WithDescription("The phone may be written the Swedish way (`0456-81 62 20`); it is stored and answered as E.164. "
                + "The answer has the contact's ETag for a later change.");
        group.MapPut("/{id:guid}", (ContentDbContext db, HttpContext context, Guid id, ContactInput input, CancellationToken ct) =>
                Save(db, context, id, _ => (input, null), "updated", ct))
            .WithName("replaceContact")
            .WithSummary("Replace a contact.")
            .WithDescription(Concurrency.IfMatchDescription)
            .ProducesConcurrencyProblems();
        group.MapPatch("/{id:guid}", Patch).Accepts<ContactInput>(MergePatch.MediaType)
            .WithName("patchContact")
            .WithSummary("Change some fields of a contact (JSON Merge Patch).")
            .WithDescription("Fields left out stay as they are; a field set to null is cleared. " + Concurrency.IfMatchDescription)
            .ProducesConcurrencyProblems();
        group.MapDelete("/{id:guid}", Delete)
            .WithName("deleteContact")
            .WithSummary("Delete a contact no content names any more (409 names the content that still does).")
            .WithDescription("To remove a person from content that still names them, an admin erases the contact instead. " + Concurrency.IfMatchDescription)
            .ProducesConcurrencyProblems().ProducesProblem(StatusCodes.Status409Conflict);

        app.MapRevisions(ContentRoutes.Contacts, ContentKind.Contact, "Contacts: editing", async (db, context, id, snapshot, action, ct) =>
            await Save(db, context, id, _ => (snapshot.Deserialize<ContactInput>(RevisionLog.Json), null), action, ct));
    }

    public static ContactInput Snapshot(Contact c) => new(c.Name, c.Title, c.OrganisationalUnit, c.Email, c.Phone);

    private static ValidationErrors Apply(Contact contact, ContactInput input)
    {
        contact.Name = input.Name?.Trim() ?? "";
        contact.Title = input.Title;
        contact.OrganisationalUnit = input.OrganisationalUnit;
        contact.Email = input.Email;
        contact.Phone = input.Phone;
        return contact.Normalize();
    }

    private static async Task<Results<Created<ContactDto>, ValidationProblem>> Create(
        ContentDbContext db, HttpContext context, TimeProvider clock, ContactInput input, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var contact = new Contact { Id = Guid.NewGuid(), CreatedAt = now, UpdatedAt = now };
        var errors = Apply(contact, input);
        if (await Editing.CreateAsync(db, context, contact, ContentKind.Contact, Snapshot, errors, ct) is { } problem)
            return (ValidationProblem)problem;
        Concurrency.SetETag(context, contact.Version);
        return TypedResults.Created($"/api/contacts/{contact.Id}", ContactDto.From(contact));
    }

    private static async Task<Results<Ok<ContactDto>, ValidationProblem, ProblemHttpResult>> Patch(
        ContentDbContext db, HttpContext context, Guid id, CancellationToken ct)
    {
        var (patch, error) = await MergePatch.ReadAsync(context.Request, ct);
        if (patch is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request", detail: error);
        return await Save(db, context, id, contact => MergePatch.Merge(Snapshot(contact), patch), "updated", ct);
    }

    private static async Task<Results<Ok<ContactDto>, ValidationProblem, ProblemHttpResult>> Save(
        ContentDbContext db, HttpContext context, Guid id, Func<Contact, (ContactInput? Input, string? Error)> input, string action, CancellationToken ct)
    {
        var contact = await db.Contacts.IgnoreQueryFilters().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (contact is null)
            return Editing.NotFound("Contact", id);
        var (values, error) = input(contact);
        if (values is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request", detail: error);
        var clock = context.RequestServices.GetRequiredService<TimeProvider>();
        var problem = await Editing.SaveAsync(db, context, contact, ContentKind.Contact, action, Snapshot, c =>
        {
            c.UpdatedAt = clock.GetUtcNow();
            return Task.FromResult(Apply(c, values));
        }, ct);
        if (problem is not null)
            return Editing.AsTyped<Ok<ContactDto>>(problem);
        Concurrency.SetETag(context, contact.Version);
        return TypedResults.Ok(ContactDto.From(contact));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(ContentDbContext db, HttpContext context, Guid id, CancellationToken ct)
    {
        var contact = await db.Contacts.IgnoreQueryFilters().FirstOrDefaultAsync(c => c.Id == id, ct);
        if (contact is null)
            return Editing.NotFound("Contact", id);
        var users = await ContactUsage.FindAsync(db, id, ct);
        if (users.Count > 0)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Contact in use",
                detail: $"The contact is named by {string.Join(", ", users)}. Remove it there first, or ask an admin to erase the person's data.");
        if (await Editing.DeleteAsync(db, context, contact, ContentKind.Contact, Snapshot, ct) is { } refused)
            return (ProblemHttpResult)refused;
        return TypedResults.NoContent();
    }
}

/// <summary>Where a contact is named.</summary>
public static class ContactUsage
{
    public static async Task<List<string>> FindAsync(ContentDbContext db, Guid id, CancellationToken ct)
    {
        var articles = await db.ArticleContacts.Where(l => l.ContactId == id).Select(l => "article " + l.ArticleId).ToListAsync(ct);
        var pledges = await db.Pledges.IgnoreQueryFilters().Where(p => p.ContactId == id).Select(p => "pledge " + p.Year).ToListAsync(ct);
        return [.. articles, .. pledges];
    }
}
