using ContentApi.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ContentApi.Infrastructure.Configurations;

public class WebhookSubscriptionConfiguration : IEntityTypeConfiguration<WebhookSubscription>
{
    public void Configure(EntityTypeBuilder<WebhookSubscription> builder)
    {
        builder.Property(s => s.Url).HasMaxLength(WebhookSubscription.UrlMaxLength);
        builder.Property(s => s.Description).HasMaxLength(WebhookSubscription.DescriptionMaxLength);
        builder.Property(s => s.Secret).HasMaxLength(100);
        builder.Property(s => s.DisabledReason).HasMaxLength(WebhookSubscription.ReasonMaxLength);
        builder.HasIndex(s => s.CreatedAt);
    }
}

public class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> builder)
    {
        builder.Property(d => d.MessageId).HasMaxLength(40);
        builder.Property(d => d.Type).HasMaxLength(40);
        builder.Property(d => d.ContentKind).HasConversion<string>().HasMaxLength(20);
        builder.Property(d => d.Change).HasConversion<string>().HasMaxLength(20);
        builder.Property(d => d.State).HasConversion<string>().HasMaxLength(20);
        builder.HasOne<WebhookSubscription>().WithMany().HasForeignKey(d => d.SubscriptionId).OnDelete(DeleteBehavior.Cascade);
        // The sender looks for what is due, and for an earlier pending delivery of the same item (order per id).
        builder.HasIndex(d => d.NextAttemptAt).HasFilter("state = 'Pending'");
        builder.HasIndex(d => new { d.SubscriptionId, d.ContentId, d.Position }).HasFilter("state = 'Pending'");
        builder.HasIndex(d => d.CompletedAt);
    }
}

public class WebhookAttemptConfiguration : IEntityTypeConfiguration<WebhookAttempt>
{
    public void Configure(EntityTypeBuilder<WebhookAttempt> builder)
    {
        builder.Property(a => a.Excerpt).HasMaxLength(WebhookAttempt.ExcerptMaxLength);
        builder.HasOne<WebhookDelivery>().WithMany().HasForeignKey(a => a.DeliveryId).OnDelete(DeleteBehavior.Cascade);
        // The delivery log of a subscription, newest first.
        builder.HasIndex(a => new { a.SubscriptionId, a.Id });
    }
}
