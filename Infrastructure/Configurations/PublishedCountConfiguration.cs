using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ContentApi.Infrastructure.Configurations;

public class PublishedCountConfiguration : IEntityTypeConfiguration<PublishedCount>
{
    public void Configure(EntityTypeBuilder<PublishedCount> builder)
    {
        builder.HasKey(c => new { c.ContentType, c.Tag });
        builder.Property(c => c.ContentType).HasMaxLength(20);
        // Unbounded, as the tags column: a trigger that refused a tag would refuse the save.
    }
}
