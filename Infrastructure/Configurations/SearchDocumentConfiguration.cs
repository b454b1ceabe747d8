using ContentApi.Infrastructure.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ContentApi.Infrastructure.Configurations;

/// <summary>Made and kept in SQL (migration SearchDocuments: triggers fill it), read by search only.</summary>
public class SearchDocumentConfiguration : IEntityTypeConfiguration<SearchDocument>
{
    public void Configure(EntityTypeBuilder<SearchDocument> builder)
    {
        builder.ToTable("search_documents", t => t.ExcludeFromMigrations());
        builder.HasKey(d => d.Id);
        builder.Property(d => d.Vector).HasColumnName("vector");
        builder.Property(d => d.LooseVector).HasColumnName("vector_unaccent");
    }
}
