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

        // Commitments have ids but are parts of their pledge, not entities of their own.
        builder.ComplexType<Commitment>();
        builder.EnumType<ContentStatus>();

        // The life cycle's properties have private setters, which the convention leaves out.
        var article = builder.EntitySet<Article>("Articles").EntityType;
        article.EnumProperty(a => a.Status);
        article.Property(a => a.PublishedAt);
        article.Property(a => a.UpdatedAt);
        article.Property(a => a.HasPendingChanges);
        article.Property(a => a.Lix);
        article.Ignore(a => a.PhotoIds);
        // The pledge's key would show even when the pledge is a draft; $expand=pledge shows it when it may be seen.
        article.Ignore(a => a.PledgeId);
        article.Ignore(a => a.CreatedAt);
        article.Ignore(a => a.PendingChanges);
        article.Ignore(a => a.Version);

        var pledge = builder.EntitySet<Pledge>("Pledges").EntityType;
        pledge.EnumProperty(p => p.Status);
        pledge.Property(p => p.PublishedAt);
        pledge.Property(p => p.UpdatedAt);
        pledge.Property(p => p.HasPendingChanges);
        pledge.Ignore(p => p.CreatedAt);
        pledge.Ignore(p => p.PendingChanges);
        pledge.Ignore(p => p.Version);

        // (article, tag) pairs: what $apply groups by to count articles per tag (ContentApi.Api.Reading.ArticleTag).
        var articleTag = builder.EntitySet<Reading.ArticleTag>("ArticleTags").EntityType;
        articleTag.HasKey(t => new { t.ArticleId, t.Tag });
        articleTag.EnumProperty(t => t.Status);

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

        // The tags of published articles with their counts, as on /api/tags.
        builder.EntitySet<Tags.Tag>("Tags");
        // Published articles per tag and month of publication, kept by the saving transaction (Power BI's question).
        builder.EntitySet<Tags.TagMonth>("TagMonths");

        builder.EnableLowerCamelCase();
        return builder.GetEdmModel();
    }
}
