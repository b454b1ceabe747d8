using ContentApi.Domain;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Infrastructure;

/// <summary>
/// The content store. A context starts in the public view: query filters hide drafts and archived content, and
/// photos and contacts that no published content uses, from every query, navigation and OData $expand alike. That is
/// the one visibility rule of the API; code that must see everything (seeding, editors) turns it off explicitly.
/// </summary>
/// <remarks>
/// Add a migration with:
/// <c>dotnet ef migrations add &lt;Name&gt; --project Infrastructure --startup-project Infrastructure --output-dir Migrations</c>
/// </remarks>
public class ContentDbContext(DbContextOptions<ContentDbContext> options) : DbContext(options)
{
    public DbSet<Article> Articles => Set<Article>();
    public DbSet<Pledge> Pledges => Set<Pledge>();
    public DbSet<Photo> Photos => Set<Photo>();
    public DbSet<Contact> Contacts => Set<Contact>();

    /// <summary>True (the default) to see only what an anonymous reader may see.</summary>
    public bool PublicView { get; set; } = true;

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ContentDbContext).Assembly);

        modelBuilder.Entity<Article>().HasQueryFilter(a => !PublicView || a.Status == ContentStatus.Published);
        modelBuilder.Entity<Pledge>().HasQueryFilter(p => !PublicView || p.Status == ContentStatus.Published);
        // Filters on other sets inside these filters apply the article and pledge filters too.
        modelBuilder.Entity<Photo>().HasQueryFilter(p => !PublicView
            || Articles.Any(a => a.PhotoIds.Contains(p.Id))
            || Pledges.Any(pl => pl.PhotoId == p.Id));
        modelBuilder.Entity<Contact>().HasQueryFilter(c => !PublicView
            // Through the link table, not the Contacts navigation: that navigation applies this very filter.
            || Set<ArticleContact>().Any(ac => ac.ContactId == c.Id && Articles.Any(a => a.Id == ac.ArticleId))
            || Pledges.Any(pl => pl.ContactId == c.Id));
    }
}
