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
        // The body is JSON in one column: it can be selected, but not filtered or sorted inside.
        article.CollectionProperty(a => a.Body).IsNotFilterable().IsNotSortable();

        var pledge = builder.EntitySet<Pledge>("Pledges").EntityType;
        pledge.Ignore(p => p.CreatedAt);
        pledge.CollectionProperty(p => p.PriorityAreas).IsNotFilterable().IsNotSortable();
        pledge.CollectionProperty(p => p.Signatories).IsNotFilterable().IsNotSortable();
        pledge.CollectionProperty(p => p.OngoingEfforts).IsNotFilterable().IsNotSortable();

        var photo = builder.EntitySet<Photo>("Photos").EntityType;
        photo.Ignore(p => p.StoragePath);
        photo.Ignore(p => p.CreatedAt);

        var contact = builder.EntitySet<Contact>("Contacts").EntityType;
        contact.Ignore(c => c.PhoneDisplay);
        contact.Ignore(c => c.CreatedAt);

        builder.EnableLowerCamelCase();
        return builder.GetEdmModel();
    }
}
