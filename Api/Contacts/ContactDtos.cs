using System.Linq.Expressions;
using ContentApi.Domain;

namespace ContentApi.Api.Contacts;

/// <summary>A contact person. <c>phone</c> is E.164 for tel: links; <c>phoneDisplay</c> is how Swedes write it.</summary>
public record ContactDto(Guid Id, string Name, string? Title, string? OrganisationalUnit, string? Email, string? Phone, DateTimeOffset UpdatedAt)
{
    public string? PhoneDisplay => Phone is null ? null : PhoneNumber.ToSwedishDisplay(Phone);

    public static readonly Expression<Func<Contact, ContactDto>> Projection = c => new ContactDto(
        c.Id, c.Name, c.Title, c.OrganisationalUnit, c.Email, c.Phone, c.UpdatedAt);

    private static readonly Func<Contact, ContactDto> FromContact = Projection.Compile();

    public static ContactDto From(Contact contact) => FromContact(contact);
}
