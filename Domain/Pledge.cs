namespace ContentApi.Domain;

/// <summary>
/// A medborgarlöfte: the yearly citizen pledge in which the municipality and the local police area commit to
/// priority areas drawn from a shared picture of the local situation.
/// </summary>
public class Pledge : IVersioned
{
    public const int TitleMaxLength = 200;
    public const int SummaryMaxLength = 2_000;
    public const int TextMaxLength = 2_000;
    public const int MinYear = 2000;
    public const int MaxYear = 2100;
    public const int MaxListItems = 50;

    public Guid Id { get; set; }
    public int Year { get; set; }
    public string Title { get; set; } = "";
    public string Summary { get; set; } = "";
    /// <summary>The parties, e.g. "Sölvesborgs kommun" and "Lokalpolisområde Sölvesborg".</summary>
    public List<string> Parties { get; set; } = [];
    public List<Signatory> Signatories { get; set; } = [];
    public DateOnly? SignedOn { get; set; }
    public DateOnly ValidFrom { get; set; }
    public DateOnly ValidTo { get; set; }
    /// <summary>What the pledge rests on: the local situation picture, the yearly safety survey, dialogue.</summary>
    public List<string> Basis { get; set; } = [];
    public List<PriorityArea> PriorityAreas { get; set; } = [];
    /// <summary>Work that goes on beside the priority areas, e.g. safety hosts and field workers.</summary>
    public List<OngoingEffort> OngoingEfforts { get; set; } = [];
    public ContentStatus Status { get; private set; }
    public DateTimeOffset? PublishedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    public Guid? PhotoId { get; set; }
    public Photo? Photo { get; set; }
    public Guid? ContactId { get; set; }
    public Contact? Contact { get; set; }
    public List<Article> Articles { get; set; } = [];

    public int Version { get; private set; }

    /// <summary>A new version of a published pledge (commitment progress included), waiting to be published.</summary>
    public PledgeContent? PendingChanges { get; private set; }

    /// <summary>
    /// For editors: true when what they see is a pending version readers do not see yet. Read from the preview face;
    /// the delivery face never says (null), so anonymous readers learn nothing of work in progress.
    /// </summary>
    public bool? HasPendingChanges { get; private set; }


    /// <summary>A new, empty draft; its first <see cref="Write"/> makes version 1.</summary>
    public static Pledge NewDraft(Guid id, DateTimeOffset now) =>
        new() { Id = id, Status = ContentStatus.Draft, CreatedAt = now, UpdatedAt = now, Version = 0 };

    public PledgeContent LiveContent() => new()
    {
        Year = Year, Title = Title, Summary = Summary, Parties = Parties, Signatories = Signatories, SignedOn = SignedOn,
        ValidFrom = ValidFrom, ValidTo = ValidTo, Basis = Basis, PriorityAreas = PriorityAreas,
        OngoingEfforts = OngoingEfforts, PhotoId = PhotoId, ContactId = ContactId,
    };

    /// <summary>What an editor sees and changes: the pending version when there is one.</summary>
    public PledgeContent EditableContent() => PendingChanges ?? LiveContent();

    /// <summary>
    /// Saves an editor's content: live for a draft or archived pledge, pending for a published one. Commitments keep
    /// their ids (see <see cref="PledgeContent.WithCommitmentIds"/>).
    /// </summary>
    public void Write(PledgeContent content)
    {
        content = content.WithCommitmentIds(EditableContent());
        if (Status == ContentStatus.Published)
            PendingChanges = content;
        else
            ApplyLive(content);
        Version++;
    }

    /// <summary>Makes the editable content live; readiness (<see cref="PledgeContent.ValidateForPublishing"/>) is checked by the caller.</summary>
    public void Publish(DateTimeOffset now)
    {
        ApplyLive(EditableContent());
        PendingChanges = null;
        Status = ContentStatus.Published;
        PublishedAt ??= now;
        UpdatedAt = now;
        Version++;
    }

    /// <summary>Takes the pledge out of readers' sight; a pending version becomes the draft.</summary>
    public void Withdraw(ContentStatus to, DateTimeOffset now)
    {
        if (to == ContentStatus.Published)
            throw new ArgumentException("Withdrawing goes to Draft or Archived.", nameof(to));
        if (PendingChanges is { } pending)
        {
            ApplyLive(pending);
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
        var changed = false;
        if (ContactId == contactId)
        {
            ContactId = null;
            changed = true;
            if (Status == ContentStatus.Published)
                UpdatedAt = now;
        }
        if (PendingChanges is { } pending && pending.ContactId == contactId)
        {
            PendingChanges = pending with { ContactId = null };
            changed = true;
        }
        if (changed)
            Version++;
        return changed;
    }

    /// <summary>
    /// Content brought in whole from outside the editorial flow (demo and load-test content, test fixtures): its life
    /// cycle as if it had been written at <paramref name="at"/> and, unless a draft, published then.
    /// </summary>
    public Pledge Imported(ContentStatus status, DateTimeOffset at)
    {
        Status = status;
        PublishedAt = status == ContentStatus.Draft ? null : at;
        CreatedAt = UpdatedAt = at;
        Version = 1;
        foreach (var commitment in PriorityAreas.SelectMany(a => a.Commitments).Where(c => c.Id == Guid.Empty))
            commitment.Id = Guid.NewGuid();
        return this;
    }

    public void NextVersion() => Version++;

    private void ApplyLive(PledgeContent c)
    {
        Year = c.Year;
        Title = c.Title;
        Summary = c.Summary;
        Parties = c.Parties;
        Signatories = c.Signatories;
        SignedOn = c.SignedOn;
        ValidFrom = c.ValidFrom;
        ValidTo = c.ValidTo;
        Basis = c.Basis;
        PriorityAreas = c.PriorityAreas;
        OngoingEfforts = c.OngoingEfforts;
        PhotoId = c.PhotoId;
        ContactId = c.ContactId;
    }

    /// <summary>True when the pledge is in force on the given day.</summary>
    public bool IsValidOn(DateOnly day) => ValidFrom <= day && day <= ValidTo;
}

public class Signatory
{
    public string Name { get; set; } = "";
    /// <summary>E.g. "kommunstyrelsens ordförande".</summary>
    public string Role { get; set; } = "";
    public string Organisation { get; set; } = "";
}

public class PriorityArea
{
    public string Title { get; set; } = "";
    public string Description { get; set; } = "";
    public List<Commitment> Commitments { get; set; } = [];
}

public enum CommitmentStatus
{
    Planned,
    InProgress,
    Done,
}

public class Commitment
{
    /// <summary>Stable across versions: kept when the text or status changes, new for a new commitment.</summary>
    public Guid Id { get; set; }
    public string Text { get; set; } = "";
    /// <summary>Who carries it out: the municipality, the police, or both.</summary>
    public string ResponsibleParty { get; set; } = "";
    public CommitmentStatus Status { get; set; }
}

public class OngoingEffort
{
    public string Title { get; set; } = "";
    public string Description { get; set; } = "";
}
