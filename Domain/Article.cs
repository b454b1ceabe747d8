namespace ContentApi.Domain;

/// <summary>
/// A news article on the municipality's website. Its columns hold the live content; a published article's next version
/// waits in <see cref="PendingChanges"/> until a publisher publishes it. The life cycle (status, version, dates) moves
/// only through the methods below.
/// </summary>
public class Article : IVersioned
{
    public const int TitleMaxLength = 200;
    public const int LeadMaxLength = 1_000;
    public const int SummaryMaxLength = 300;
    public const int TagMaxLength = 50;
    public const int MaxTags = 20;

    public Guid Id { get; set; }
    public string Slug { get; set; } = "";
    public string Title { get; set; } = "";
    /// <summary>The ingress: the short introduction shown above the body and in lists.</summary>
    public string Lead { get; set; } = "";
    /// <summary>A short text for list cards (teasers), when the lead is too long for one; optional.</summary>
    public string? Summary { get; set; }
    public List<Block> Body { get; set; } = [];
    public List<string> Tags { get; set; } = [];
    public ContentStatus Status { get; private set; }
    public DateTimeOffset? PublishedAt { get; private set; }
    /// <summary>"Senast uppdaterad": when the published content last changed.</summary>
    public DateTimeOffset UpdatedAt { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    public Guid? HeroPhotoId { get; set; }
    public Photo? HeroPhoto { get; set; }
    public Guid? PledgeId { get; set; }
    public Pledge? Pledge { get; set; }
    public List<Contact> Contacts { get; set; } = [];

    /// <summary>Increases with every saved change; the ETag and optimistic concurrency rest on it.</summary>
    public int Version { get; private set; }

    /// <summary>A new version of a published article, waiting to be published; the live content stays as it is.</summary>
    public ArticleContent? PendingChanges { get; private set; }

    /// <summary>
    /// For editors: true when what they see is a pending version readers do not see yet. Read from the preview face;
    /// the delivery face never says (null), so anonymous readers learn nothing of work in progress.
    /// </summary>
    public bool? HasPendingChanges { get; private set; }


    /// <summary>
    /// Every photo the article shows (hero and image blocks), kept in one column so "is this photo used by published
    /// content" is a single indexed lookup instead of a search through JSON bodies.
    /// </summary>
    public List<Guid> PhotoIds { get; private set; } = [];

    /// <summary>
    /// The live content's LIX (<see cref="Readability"/>), null when it has no word; computed whenever the live
    /// content changes. A pending version's LIX is kept with it (<see cref="ArticleContent"/>, in the pending JSON).
    /// </summary>
    public double? Lix { get; private set; }

    /// <summary>A new, empty draft; its first <see cref="Write"/> makes version 1.</summary>
    public static Article NewDraft(Guid id, DateTimeOffset now) =>
        new() { Id = id, Status = ContentStatus.Draft, CreatedAt = now, UpdatedAt = now, Version = 0 };

    /// <summary>The live content as an editor wrote it.</summary>
    public ArticleContent LiveContent() => new()
    {
        Title = Title, Slug = Slug, Lead = Lead, Summary = Summary, Body = Body, Tags = Tags,
        HeroPhotoId = HeroPhotoId, PledgeId = PledgeId, ContactIds = [.. Contacts.Select(c => c.Id)],
    };

    /// <summary>What an editor sees: the pending version when there is one.</summary>
    public ArticleContent EditableContent() => PendingChanges ?? LiveContent();

    /// <summary>
    /// Saves an editor's content: live for a draft or archived article, pending for a published one (readers keep
    /// seeing the live version until it is published). <paramref name="contacts"/> are the content's contacts, loaded.
    /// </summary>
    public void Write(ArticleContent content, string slug, IEnumerable<Contact> contacts)
    {
        if (Status == ContentStatus.Published)
            PendingChanges = content with { Slug = slug };
        else
            ApplyLive(content, slug, contacts);
        Version++;
    }

    /// <summary>
    /// Makes the editable content (the pending version, or the draft) live. Checks of the content (validity,
    /// references, alt texts, slug) are the caller's: they need the database.
    /// </summary>
    public void Publish(string slug, IEnumerable<Contact> contacts, DateTimeOffset now)
    {
        ApplyLive(EditableContent(), slug, contacts);
        PendingChanges = null;
        Status = ContentStatus.Published;
        PublishedAt ??= now;
        UpdatedAt = now;
        Version++;
    }

    /// <summary>
    /// Takes the article out of readers' sight (to draft or archive); a pending version becomes the draft.
    /// <paramref name="pendingContacts"/> are the pending version's contacts, loaded (ignored without one).
    /// </summary>
    public void Withdraw(ContentStatus to, IEnumerable<Contact> pendingContacts, DateTimeOffset now)
    {
        if (to == ContentStatus.Published)
            throw new ArgumentException("Withdrawing goes to Draft or Archived.", nameof(to));
        if (PendingChanges is { } pending)
        {
            ApplyLive(pending, Slug, pendingContacts);
            PendingChanges = null;
        }
        if (Status == ContentStatus.Published)
            UpdatedAt = now;
        Status = to;
        Version++;
    }

    /// <summary>Stops naming a contact, live and pending (a GDPR erasure). Returns false when it did not.</summary>
    public bool RemoveContact(Guid contactId, DateTimeOffset now)
    {
        var live = Contacts.RemoveAll(c => c.Id == contactId) > 0;
        var changed = live;
        if (PendingChanges is { } pending && pending.ContactIds.Contains(contactId))
        {
            PendingChanges = pending with { ContactIds = [.. pending.ContactIds.Where(c => c != contactId)] };
            changed = true;
        }
        if (!changed)
            return false;
        // Readers see a change only when the live version named the person.
        if (live && Status == ContentStatus.Published)
            UpdatedAt = now;
        Version++;
        return true;
    }

    /// <summary>
    /// Content brought in whole from outside the editorial flow (demo and load-test content, test fixtures): its life
    /// cycle as if it had been written at <paramref name="at"/> and, unless a draft, published then.
    /// </summary>
    public Article Imported(ContentStatus status, DateTimeOffset at)
    {
        Status = status;
        PublishedAt = status == ContentStatus.Draft ? null : at;
        CreatedAt = UpdatedAt = at;
        Version = 1;
        RefreshPhotoIds();
        RefreshLix();
        return this;
    }

    public void NextVersion() => Version++;

    private void ApplyLive(ArticleContent content, string slug, IEnumerable<Contact> contacts)
    {
        Title = content.Title;
        Slug = slug;
        Lead = content.Lead;
        Summary = content.Summary;
        Body = content.Body;
        Tags = content.Tags;
        HeroPhotoId = content.HeroPhotoId;
        PledgeId = content.PledgeId;
        Contacts = [.. contacts];
        RefreshPhotoIds();
        RefreshLix();
    }

    /// <summary>Call after changing <see cref="Title"/>, <see cref="Lead"/> or <see cref="Body"/> directly.</summary>
    public void RefreshLix() => Lix = Readability.Lix(Title, Lead, Body);

    /// <summary>Call after changing <see cref="HeroPhotoId"/> or <see cref="Body"/>.</summary>
    public void RefreshPhotoIds() =>
        PhotoIds = [.. Body.Where(b => b.Type == BlockType.Image && b.PhotoId is not null).Select(b => b.PhotoId!.Value)
            .Prepend(HeroPhotoId ?? Guid.Empty).Where(id => id != Guid.Empty).Distinct()];
}
