using ContentApi.Domain;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Infrastructure;

/// <summary>
/// The preview face, for callers who may preview: everything, drafts included, and each article and pledge in the
/// version an editor works on (its pending version when it has one), so that every read path, $filter and $orderby
/// included, acts on what is shown. Articles, pledges and article contacts are read from views
/// (<c>article_previews</c>, <c>pledge_previews</c>, <c>article_contact_previews</c>, migration OnePreviewFace) that
/// put the pending version in the live columns. Read-only: writes go through <see cref="ContentDbContext"/>.
/// </summary>
public sealed class PreviewDbContext(DbContextOptions<PreviewDbContext> options) : ContentDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ContentDbContext).Assembly);
        Search.SearchFunctions.Register(modelBuilder);
        // The views are mapped as tables: this model is never migrated or saved, and EF Core maps JSON columns (body,
        // priority areas) of tables only.
        modelBuilder.Entity<Article>().ToTable("article_previews");
        modelBuilder.Entity<Pledge>().ToTable("pledge_previews");
        modelBuilder.Entity<ArticleContact>().ToTable("article_contact_previews");
        modelBuilder.Entity<Search.SearchDocument>().ToTable("search_document_previews");
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess) =>
        throw new InvalidOperationException("The preview face is read-only: save through ContentDbContext.");

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("The preview face is read-only: save through ContentDbContext.");
}
