using ContentApi.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ContentApi.Infrastructure.Configurations;

public class ArticleConfiguration : IEntityTypeConfiguration<Article>
{
    public void Configure(EntityTypeBuilder<Article> builder)
    {
        builder.Property(a => a.Slug).HasMaxLength(Slug.MaxLength);
        builder.Property(a => a.Title).HasMaxLength(Article.TitleMaxLength);
        builder.Property(a => a.Lead).HasMaxLength(Article.LeadMaxLength);
        builder.Property(a => a.Summary).HasMaxLength(Article.SummaryMaxLength);
        // A PostgreSQL enum (ContentDbContext.ConfigureNpgsql): compared and sorted in life-cycle order.
        builder.Property(a => a.Status);
        // Published content always has its publication date: anonymous OData readers page through it by publishedAt.
        builder.ToTable(t => t.HasCheckConstraint("ck_articles_published_has_date", "status <> 'Published' OR published_at IS NOT NULL"));
        builder.Property(a => a.Tags);
        builder.Property(a => a.PhotoIds);
        builder.ComplexCollection(a => a.Body, body =>
        {
            body.ToJson();
            body.Property(b => b.Type).HasConversion<string>();
        });

        builder.Property(a => a.Version).IsConcurrencyToken();
        // Replaced, never changed in place, so reference comparison is enough to see a change.
        // Always null in the table (the delivery face); the preview views compute it from pending_changes.
        builder.Property(a => a.HasPendingChanges).HasComputedColumnSql("NULL::boolean", stored: true);
        builder.Property(a => a.PendingChanges).HasColumnType("jsonb")
            .HasConversion(v => PendingJson.WriteArticle(v!), v => PendingJson.Read<ArticleContent>(v));
        // Editors look for the hardest texts ($orderby=lix desc, $filter=lix ge 55).
        builder.HasIndex(a => a.Lix);

        // A photo or contact that content uses cannot be deleted (the API answers 409 and names the content); the
        // database holds to that too, also for a delete that races a write which starts using it.
        builder.HasOne(a => a.HeroPhoto).WithMany().HasForeignKey(a => a.HeroPhotoId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(a => a.Pledge).WithMany(p => p.Articles).HasForeignKey(a => a.PledgeId).OnDelete(DeleteBehavior.SetNull);
        builder.HasMany(a => a.Contacts).WithMany(c => c.Articles).UsingEntity<ArticleContact>(
            link => link.HasOne<Contact>().WithMany().HasForeignKey(l => l.ContactId).OnDelete(DeleteBehavior.Restrict),
            link => link.HasOne<Article>().WithMany().HasForeignKey(l => l.ArticleId).OnDelete(DeleteBehavior.Cascade),
            link =>
            {
                link.ToTable("article_contacts");
                link.HasKey(l => new { l.ArticleId, l.ContactId });
                link.HasIndex(l => l.ContactId);
            });

        builder.HasIndex(a => a.Slug).IsUnique();
        // Lists: published, newest first, the id breaking ties so paging is stable.
        builder.HasIndex(a => new { a.Status, a.PublishedAt, a.Id });
        builder.HasIndex(a => a.UpdatedAt);
        builder.HasIndex(a => a.Tags).HasMethod("gin");
        builder.HasIndex(a => a.PhotoIds).HasMethod("gin");
        builder.HasIndex(a => a.PledgeId);
        builder.HasIndex(a => a.HeroPhotoId);
    }
}
