using ContentApi.Api.Reading;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Api.Contacts;

public static class ContactEndpoints
{
    public static void MapContacts(this IEndpointRouteBuilder app)
    {
        app.MapGroup(ContentRoutes.Contacts).WithTags("Contacts")
            .MapGet("/{id:guid}", GetContact)
            .WithName("getContact")
            .WithSummary("A contact person named by published content.")
            .WithDescription("`phone` is E.164 for tel: links, `phoneDisplay` as Swedes write it. Anonymous callers get only the contacts "
                + "that published content names.")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Results<Ok<ContactDto>, ProblemHttpResult>> GetContact(ContentReader reader, HttpContext context, Guid id, CancellationToken ct)
    {
        var contact = await reader.Contacts.Where(c => c.Id == id).FirstOrDefaultAsync(ct);
        if (contact is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Contact not found",
                detail: $"There is no contact with id {id} on published content.");
        // Editors get the version to send back in If-Match.
        if (reader.Preview)
            Editorial.Concurrency.SetETag(context, contact.Version);
        return TypedResults.Ok(ContactDto.From(contact));
    }
}
