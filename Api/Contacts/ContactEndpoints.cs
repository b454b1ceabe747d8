using ContentApi.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Api.Contacts;

public static class ContactEndpoints
{
    public static void MapContacts(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/contacts").WithTags("Contacts")
            .MapGet("/{id:guid}", GetContact)
            .WithSummary("A contact person named by published content.")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Results<Ok<ContactDto>, ProblemHttpResult>> GetContact(ContentDbContext db, Guid id, CancellationToken ct)
    {
        var contact = await db.Contacts.AsNoTracking().Where(c => c.Id == id).Select(ContactDto.Projection).FirstOrDefaultAsync(ct);
        return contact is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Contact not found",
                detail: $"There is no contact with id {id} on published content.")
            : TypedResults.Ok(contact);
    }
}
