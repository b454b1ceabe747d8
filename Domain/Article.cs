namespace ContentApi.Domain;

/// <summary>A news article on the municipality's website.</summary>
public class Article : IVersioned
{
    public const int TitleMaxLength = 200;
    public const int LeadMaxLength = 1_000;
    public const int TagMaxLength = 50;
    public const int MaxTags = 20;

    public Guid Id { get; set; }
    public string Slug { get; set; } = "";
    public string Title { get; set; } = "";
    /// <summary>The ingress: the short introduction shown above the body and in lists.</summary>
    public string Lead { get; set; } = "";
    public List<Block> Body { get; set; } = [];
    public List<string> Tags { get; set; } = [];
    public ContentStatus Status { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }
    /// <summary>"Senast uppdaterad": when the published content last changed.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public Guid? HeroPhotoId { get; set; }
    public Photo? HeroPhoto { get; set; }
    public Guid? PledgeId { get; set; }
    public Pledge? Pledge { get; set; }
    public List<Contact> Contacts { get; set; } = [];

    /// <summary>Increases with every saved change; the ETag and optimistic concurrency rest on it.</summary>
    public int Version { get; set; } = 1;

    /// <summary>A new version of a published article, waiting to be published; the live content stays as it is.</summary>
    public ArticleContent? PendingChanges { get; set; }

    /// <summary>
    /// Every photo the article shows (hero and image blocks), kept in one column so "is this photo used by published
    /// content" is a single indexed lookup instead of a search through JSON bodies.
    /// </summary>
    public List<Guid> PhotoIds { get; private set; } = [];

    /// <summary>The live content as an editor wrote it.</summary>
    public ArticleContent LiveContent() => new()
    {
        Title = Title, Slug = Slug, Lead = Lead, Body = Body, Tags = Tags,
        HeroPhotoId = HeroPhotoId, PledgeId = PledgeId, ContactIds = [.. Contacts.Select(c => c.Id)],
    };

    /// <summary>What an editor sees: the pending version when there is one.</summary>
    public ArticleContent EditableContent() => PendingChanges ?? LiveContent();

    /// <summary>Makes <paramref name="content"/> the live content; <paramref name="contacts"/> are its contacts, loaded.</summary>
    public void ApplyLive(ArticleContent content, string slug, IEnumerable<Contact> contacts)
    {
        Title = content.Title;
        Slug = slug;
        Lead = content.Lead;
        Body = content.Body;
        Tags = content.Tags;
        HeroPhotoId = content.HeroPhotoId;
        PledgeId = content.PledgeId;
        Contacts = [.. contacts];
        RefreshPhotoIds();
    }

    /// <summary>Call after changing <see cref="HeroPhotoId"/> or <see cref="Body"/>.</summary>
    public void RefreshPhotoIds() =>
        PhotoIds = [.. Body.Where(b => b.Type == BlockType.Image && b.PhotoId is not null).Select(b => b.PhotoId!.Value)
            .Prepend(HeroPhotoId ?? Guid.Empty).Where(id => id != Guid.Empty).Distinct()];
}
