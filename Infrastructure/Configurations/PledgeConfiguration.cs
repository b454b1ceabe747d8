using ContentApi.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ContentApi.Infrastructure.Configurations;

public class PledgeConfiguration : IEntityTypeConfiguration<Pledge>
{
    public void Configure(EntityTypeBuilder<Pledge> builder)
    {
        builder.Property(p => p.Version).IsConcurrencyToken();
        // Replaced, never changed in place (see ArticleConfiguration).
        // Always null in the table (the delivery face); the preview views compute it from pending_changes.
        builder.Property(p => p.HasPendingChanges).HasComputedColumnSql("NULL::boolean", stored: true);
        builder.Property(p => p.PendingChanges).HasColumnType("jsonb")
            .HasConversion(v => PendingJson.Write(v), v => PendingJson.Read<PledgeContent>(v));
        builder.Property(p => p.Title).HasMaxLength(Pledge.TitleMaxLength);
        builder.Property(p => p.Summary).HasMaxLength(Pledge.SummaryMaxLength);
        builder.Property(p => p.Status);
        // Published content always has its publication date: anonymous OData readers page through it by publishedAt.
        builder.ToTable(t => t.HasCheckConstraint("ck_pledges_published_has_date", "status <> 'Published' OR published_at IS NOT NULL"));
        builder.ComplexCollection(p => p.Signatories, s => s.ToJson());
        builder.ComplexCollection(p => p.OngoingEfforts, e => e.ToJson());
        builder.ComplexCollection(p => p.PriorityAreas, area =>
        {
            area.ToJson();
            area.ComplexCollection(a => a.Commitments, c => c.Property(x => x.Status).HasConversion<string>());
        });

        // Used photos and contacts cannot be deleted (see ArticleConfiguration).
        builder.HasOne(p => p.Photo).WithMany().HasForeignKey(p => p.PhotoId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne(p => p.Contact).WithMany().HasForeignKey(p => p.ContactId).OnDelete(DeleteBehavior.Restrict);

        builder.HasIndex(p => p.Year).IsUnique();
        builder.HasIndex(p => new { p.Status, p.ValidFrom, p.ValidTo });
        builder.HasIndex(p => p.PhotoId);
        builder.HasIndex(p => p.ContactId);
    }
}
