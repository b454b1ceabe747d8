using ContentApi.Domain;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Infrastructure;

/// <summary>
/// The content store. Its query filters are the one visibility rule of the API: they hide drafts and archived content,
/// and photos and contacts that no published content uses, from every query, navigation and OData $expand alike.
/// Code that must see everything (seeding, editors) says so with <c>IgnoreQueryFilters()</c>. The filters hold no
/// parameter, so PostgreSQL plans them with the status indexes.
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
    public DbSet<ArticleContact> ArticleContacts => Set<ArticleContact>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<Revision> Revisions => Set<Revision>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<Schedule> Schedules => Set<Schedule>();
    public DbSet<SlugRedirect> SlugRedirects => Set<SlugRedirect>();

    /// <summary>
    /// Published articles, for the hot anonymous reads. The same rule, applied once per article instead of once per
    /// embedded row: a published article's hero photo, body photos and contacts are visible because published content
    /// uses them, so the filters' per-row EXISTS checks on them are skipped. Its pledge is not covered by this and must
    /// still be checked (<see cref="Pledge.Status"/>) where it is embedded.
    /// </summary>
    public IQueryable<Article> PublishedArticles => Articles.IgnoreQueryFilters().Where(a => a.Status == ContentStatus.Published);

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ContentDbContext).Assembly);

        modelBuilder.Entity<Article>().HasQueryFilter(a => a.Status == ContentStatus.Published);
        modelBuilder.Entity<Pledge>().HasQueryFilter(p => p.Status == ContentStatus.Published);
        // Filters on other sets inside these filters apply the article and pledge filters too.
        modelBuilder.Entity<Photo>().HasQueryFilter(p =>
            Articles.Any(a => a.PhotoIds.Contains(p.Id))
            || Pledges.Any(pl => pl.PhotoId == p.Id));
        // Through the link table, not the Contacts navigation: that navigation applies this very filter.
        modelBuilder.Entity<Contact>().HasQueryFilter(c =>
            Set<ArticleContact>().Any(ac => ac.ContactId == c.Id && Articles.Any(a => a.Id == ac.ArticleId))
            || Pledges.Any(pl => pl.ContactId == c.Id));
    }
}
