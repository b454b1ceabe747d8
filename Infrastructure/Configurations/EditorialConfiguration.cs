using System.Text.Json;
using ContentApi.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ContentApi.Infrastructure.Configurations;

public class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.Property(k => k.Name).HasMaxLength(ApiKey.NameMaxLength);
        builder.Property(k => k.Role).HasMaxLength(20);
        builder.Property(k => k.Hash).HasMaxLength(64);
        builder.Property(k => k.Prefix).HasMaxLength(16);
        builder.HasIndex(k => k.Hash).IsUnique();
    }
}

public class RevisionConfiguration : IEntityTypeConfiguration<Revision>
{
    public void Configure(EntityTypeBuilder<Revision> builder)
    {
        builder.Property(r => r.ContentKind).HasConversion<string>().HasMaxLength(20);
        builder.Property(r => r.Author).HasMaxLength(200);
        builder.Property(r => r.Action).HasMaxLength(50);
        builder.Property(r => r.Snapshot).HasColumnType("jsonb");
        builder.HasIndex(r => new { r.ContentKind, r.ContentId, r.Number }).IsUnique();
    }
}

public class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.Property(a => a.Actor).HasMaxLength(200);
        builder.Property(a => a.Action).HasMaxLength(100);
        builder.Property(a => a.TargetType).HasMaxLength(20);
        builder.Property(a => a.Address).HasMaxLength(64);
        builder.Property(a => a.Details).HasMaxLength(AuditEntry.DetailsMaxLength);
        builder.HasIndex(a => a.At);
    }
}

public class ScheduleConfiguration : IEntityTypeConfiguration<Schedule>
{
    public void Configure(EntityTypeBuilder<Schedule> builder)
    {
        builder.Property(s => s.ContentKind).HasConversion<string>().HasMaxLength(20);
        builder.Property(s => s.Action).HasConversion<string>().HasMaxLength(20);
        builder.Property(s => s.CreatedBy).HasMaxLength(200);
        builder.Property(s => s.Outcome).HasMaxLength(200);
        // The runner looks for what is due and not yet done.
        builder.HasIndex(s => s.DueAt).HasFilter("done_at IS NULL");
        builder.HasIndex(s => new { s.ContentKind, s.ContentId });
    }
}

public class SlugRedirectConfiguration : IEntityTypeConfiguration<SlugRedirect>
{
    public void Configure(EntityTypeBuilder<SlugRedirect> builder)
    {
        builder.HasKey(r => r.OldSlug);
        builder.Property(r => r.OldSlug).HasMaxLength(Slug.MaxLength);
        builder.HasOne<Article>().WithMany().HasForeignKey(r => r.ArticleId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(r => r.ArticleId);
    }
}

/// <summary>
/// Stores a pending version as one JSON value in the same shape EF Core gives the live JSON columns (property names as
/// in C#, enums by name), so the preview views can put its parts in the live columns as they are. Reading accepts the
/// earlier camelCase shape too.
/// </summary>
internal static class PendingJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNameCaseInsensitive = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    public static string Write<T>(T? content) where T : class => JsonSerializer.Serialize(content, Options);

    public static T? Read<T>(string json) where T : class => JsonSerializer.Deserialize<T>(json, Options);

    /// <summary>
    /// A pending article version with its LIX (<see cref="Readability"/>) beside it, for the preview face
    /// (<c>article_previews.lix</c>, migration Readability); reading the content back ignores it.
    /// </summary>
    public static string WriteArticle(ArticleContent content)
    {
        var json = JsonSerializer.SerializeToNode(content, Options)!.AsObject();
        json[LixProperty] = Readability.Lix(content);
        return json.ToJsonString(Options);
    }

    public const string LixProperty = "Lix";
}

public class ChangeLogEntryConfiguration : IEntityTypeConfiguration<ChangeLogEntry>
{
    public void Configure(EntityTypeBuilder<ChangeLogEntry> builder)
    {
        builder.ToTable("change_log");
        // Readers seek by position; the database gives it at commit (migration ChangeLog).
        builder.HasKey(e => e.Position);
        builder.Property(e => e.Position).ValueGeneratedNever();
        builder.Property(e => e.Kind).HasConversion<string>().HasMaxLength(20);
        builder.Property(e => e.Change).HasConversion<string>().HasMaxLength(20);
        builder.HasIndex(e => e.ChangedAt);
    }
}
