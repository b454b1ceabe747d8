using ContentApi.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ContentApi.Infrastructure.Configurations;

public class PhotoConfiguration : IEntityTypeConfiguration<Photo>
{
    public void Configure(EntityTypeBuilder<Photo> builder)
    {
        builder.Property(p => p.Version).IsConcurrencyToken();
        builder.Property(p => p.AltText).HasMaxLength(Photo.AltTextMaxLength);
        builder.Property(p => p.Caption).HasMaxLength(Photo.CaptionMaxLength);
        builder.Property(p => p.Credit).HasMaxLength(Photo.CreditMaxLength);
        builder.Property(p => p.MediaType).HasMaxLength(Photo.MediaTypeMaxLength);
        builder.Property(p => p.StoragePath).HasMaxLength(Photo.StoragePathMaxLength);
        builder.Property(p => p.Sha256).HasMaxLength(64);
        builder.Ignore(p => p.Renditions);
        builder.Property(p => p.DominantColor).HasMaxLength(7);
        // The sweep asks which stored files are still in use.
        builder.HasIndex(p => p.Sha256);
    }
}
