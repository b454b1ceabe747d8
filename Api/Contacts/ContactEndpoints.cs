using ContentApi.Api.Auth;
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
            .WithName("getContact")
            .WithSummary("A contact person named by published content.")
            .WithDescription("`phone` is E.164 for tel: links, `phoneDisplay` as Swedes write it. Anonymous callers get only the contacts "
                + "that published content names.")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Results<Ok<ContactDto>, ProblemHttpResult>> GetContact(ContentDbContext db, HttpContext context, Guid id, CancellationToken ct)
    {
        if (context.User.CanPreview())
        {
            context.Response.Headers.CacheControl = "private, no-store";
            var any = await db.Contacts.IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct);
            if (any is not null)
            {
                Editorial.Concurrency.SetETag(context, any.Version);
                return TypedResults.Ok(ContactDto.From(any));
            }
        }
        var contact = await db.Contacts.AsNoTracking().Where(c => c.Id == id).Select(ContactDto.Projection).FirstOrDefaultAsync(ct);
        return contact is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Contact not found",
                detail: $"There is no contact with id {id} on published content.")
            : TypedResults.Ok(contact);
    }
}
