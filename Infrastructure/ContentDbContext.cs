using System.Linq.Expressions;
using ContentApi.Domain;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Infrastructure;

/// <summary>
/// The content store, and the delivery face of the content: its query filters apply <see cref="Visibility"/> (what
/// anonymous readers may see) to every query, navigation and OData $expand alike. Writes and code that must see
/// everything say so with <c>IgnoreQueryFilters()</c>; editors read through <see cref="PreviewDbContext"/>. The
/// filters hold no parameter, so PostgreSQL plans them with the status indexes.
/// </summary>
/// <remarks>
/// Add a migration with:
/// <c>dotnet ef migrations add &lt;Name&gt; --project Infrastructure --startup-project Infrastructure --output-dir Migrations</c>
/// </remarks>
public class ContentDbContext : DbContext
{
    /// <summary>Filter names: <see cref="Published"/> hides drafts and archived content; <see cref="UsedByPublished"/>
    /// hides photos and contacts that no published content uses.</summary>
    public const string Published = "published", UsedByPublished = "usedByPublished";

    public ContentDbContext(DbContextOptions<ContentDbContext> options) : base(options) { }

    protected ContentDbContext(DbContextOptions options) : base(options) { }

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
    public DbSet<PublishedCount> PublishedCounts => Set<PublishedCount>();
    public DbSet<PublishedMonthCount> PublishedMonthCounts => Set<PublishedMonthCount>();
    public DbSet<ChangeLogEntry> ChangeLogEntries => Set<ChangeLogEntry>();
    public DbSet<WebhookSubscription> WebhookSubscriptions => Set<WebhookSubscription>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<WebhookAttempt> WebhookAttempts => Set<WebhookAttempt>();

    /// <summary>
    /// Npgsql options every context and the migrations tool share. Statuses are a PostgreSQL enum, so comparing and
    /// sorting them (OData <c>status gt 'Draft'</c>, <c>$orderby=status</c>) follows the life cycle, not the alphabet.
    /// </summary>
    public static void ConfigureNpgsql(Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure.NpgsqlDbContextOptionsBuilder npgsql) =>
        npgsql.MigrationsAssembly(typeof(ContentDbContext).Assembly.FullName)
            .MapEnum<ContentStatus>("content_status", nameTranslator: new Npgsql.NameTranslation.NpgsqlNullNameTranslator());

    /// <summary>
    /// Applies pending migrations, then computes what a migration left to C# (<see cref="ReadabilityBackfill"/>).
    /// Connections opened before a migration made a type (content_status) do not know it: Npgsql is told to load the
    /// types again.
    /// </summary>
    public async Task MigrateAsync(CancellationToken ct = default)
    {
        // A migration that rewrites a table (migration Search computes a vector for every article: ~40-90 s at 100,000
        // articles) outlasts Npgsql's 30 s command timeout.
        Database.SetCommandTimeout(TimeSpan.FromMinutes(30));
        await Database.MigrateAsync(ct);
        await Database.OpenConnectionAsync(ct);
        try
        {
            await ((Npgsql.NpgsqlConnection)Database.GetDbConnection()).ReloadTypesAsync(ct);
        }
        finally
        {
            await Database.CloseConnectionAsync();
        }
        await ReadabilityBackfill.RunAsync(this, ct);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ContentDbContext).Assembly);
        Search.SearchFunctions.Register(modelBuilder);

        modelBuilder.Entity<Article>().HasQueryFilter(Published, Visibility.PublicArticle);
        modelBuilder.Entity<Pledge>().HasQueryFilter(Published, Visibility.PublicPledge);
        // Filters on other sets inside these filters apply the article and pledge filters too. A query that reads
        // photos and contacts only through published content may skip these per-row checks:
        // IgnoreQueryFilters([UsedByPublished]).
        modelBuilder.Entity<Photo>().HasQueryFilter(UsedByPublished, PhotoUsedByPublished);
        modelBuilder.Entity<Contact>().HasQueryFilter(UsedByPublished, ContactUsedByPublished);
    }

    /// <summary>A photo is seen when an article or pledge this face shows uses it.</summary>
    public Expression<Func<Photo, bool>> PhotoUsedByPublished => p =>
        Articles.Any(a => a.PhotoIds.Contains(p.Id))
        || Pledges.Any(pl => pl.PhotoId == p.Id);

    /// <summary>
    /// A contact is seen when an article or pledge this face shows names it. Through the link table, not the Contacts
    /// navigation: that navigation applies this very filter.
    /// </summary>
    public Expression<Func<Contact, bool>> ContactUsedByPublished => c =>
        Set<ArticleContact>().Any(ac => ac.ContactId == c.Id && Articles.Any(a => a.Id == ac.ArticleId))
        || Pledges.Any(pl => pl.ContactId == c.Id);
}
