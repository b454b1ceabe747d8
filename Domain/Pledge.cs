namespace ContentApi.Domain;

/// <summary>
/// A medborgarlöfte: the yearly citizen pledge in which the municipality and the local police area commit to
/// priority areas drawn from a shared picture of the local situation.
/// </summary>
public class Pledge
{
    public const int TitleMaxLength = 200;
    public const int SummaryMaxLength = 2_000;
    public const int TextMaxLength = 2_000;

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
    public ContentStatus Status { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public Guid? PhotoId { get; set; }
    public Photo? Photo { get; set; }
    public Guid? ContactId { get; set; }
    public Contact? Contact { get; set; }
    public List<Article> Articles { get; set; } = [];

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
