using ContentApi.Domain;
using Microsoft.OData.Edm;
using Microsoft.OData.ModelBuilder;

namespace ContentApi.Api.OData;

/// <summary>The whole OData model: what integrators see under /odata and may query.</summary>
public static class EdmModelBuilder
{
    public static IEdmModel Build()
    {
        var builder = new ODataConventionModelBuilder { Namespace = "ContentApi" };

        var article = builder.EntitySet<Article>("Articles").EntityType;
        article.Ignore(a => a.PhotoIds);
        article.Ignore(a => a.CreatedAt);
        article.Ignore(a => a.PendingChanges);
        article.Ignore(a => a.Version);

        var pledge = builder.EntitySet<Pledge>("Pledges").EntityType;
        pledge.Ignore(p => p.CreatedAt);
        pledge.Ignore(p => p.Version);

        var photo = builder.EntitySet<Photo>("Photos").EntityType;
        photo.Ignore(p => p.StoragePath);
        photo.Ignore(p => p.CreatedAt);
        photo.Ignore(p => p.Version);
        photo.Ignore(p => p.HasTextAlternative);
        photo.Ignore(p => p.RenditionVersion);
        // Renditions are computed from the row: they can be selected, not filtered.

        var contact = builder.EntitySet<Contact>("Contacts").EntityType;
        contact.Ignore(c => c.PhoneDisplay);
        contact.Ignore(c => c.CreatedAt);
        contact.Ignore(c => c.Version);

        builder.EnableLowerCamelCase();
        return builder.GetEdmModel();
    }
}
