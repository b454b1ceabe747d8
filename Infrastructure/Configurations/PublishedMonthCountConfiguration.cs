using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ContentApi.Infrastructure.Configurations;

public class PublishedMonthCountConfiguration : IEntityTypeConfiguration<PublishedMonthCount>
{
    public void Configure(EntityTypeBuilder<PublishedMonthCount> builder) => builder.HasKey(c => new { c.Tag, c.Year, c.Month });
}
