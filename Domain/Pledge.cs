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

    public int Version { get; set; } = 1;

    public const int MinYear = 2000;
    public const int MaxYear = 2100;
    public const int MaxListItems = 50;

    /// <summary>Checks every field against its limits; references to photos and contacts are checked by the caller.</summary>
    public ValidationErrors Validate()
    {
        var errors = new ValidationErrors();
        if (Year is < MinYear or > MaxYear)
            errors.Add("year", $"year must be between {MinYear} and {MaxYear}.");
        errors.Required("title", Title, TitleMaxLength);
        errors.MaxLength("summary", Summary, SummaryMaxLength);
        if (ValidTo < ValidFrom)
            errors.Add("validTo", "validTo may not be before validFrom.");
        CheckTexts(errors, "parties", Parties);
        CheckTexts(errors, "basis", Basis);
        var nulls = NullItem(errors, "signatories", Signatories);
        nulls |= NullItem(errors, "priorityAreas", PriorityAreas);
        nulls |= NullItem(errors, "ongoingEfforts", OngoingEfforts);
        for (var i = 0; !nulls && i < PriorityAreas.Count; i++)
            nulls = NullItem(errors, $"priorityAreas[{i}].commitments", PriorityAreas[i].Commitments);
        if (nulls)
            return errors;
        for (var i = 0; i < Signatories.Count; i++)
        {
            errors.Required($"signatories[{i}].name", Signatories[i].Name, TitleMaxLength);
            errors.Required($"signatories[{i}].role", Signatories[i].Role, TitleMaxLength);
            errors.Required($"signatories[{i}].organisation", Signatories[i].Organisation, TitleMaxLength);
        }
        for (var i = 0; i < PriorityAreas.Count; i++)
        {
            var area = PriorityAreas[i];
            errors.Required($"priorityAreas[{i}].title", area.Title, TitleMaxLength);
            errors.MaxLength($"priorityAreas[{i}].description", area.Description, TextMaxLength);
            for (var j = 0; j < area.Commitments.Count; j++)
            {
                errors.Required($"priorityAreas[{i}].commitments[{j}].text", area.Commitments[j].Text, TextMaxLength);
                errors.Required($"priorityAreas[{i}].commitments[{j}].responsibleParty", area.Commitments[j].ResponsibleParty, TitleMaxLength);
            }
        }
        for (var i = 0; i < OngoingEfforts.Count; i++)
        {
            errors.Required($"ongoingEfforts[{i}].title", OngoingEfforts[i].Title, TitleMaxLength);
            errors.MaxLength($"ongoingEfforts[{i}].description", OngoingEfforts[i].Description, TextMaxLength);
        }
        return errors;
    }

    /// <summary>What publishing needs beyond valid fields.</summary>
    public ValidationErrors ValidateForPublishing()
    {
        var errors = Validate();
        if (string.IsNullOrWhiteSpace(Summary))
            errors.Add("summary", "A published pledge needs a summary.");
        if (PriorityAreas.Count == 0)
            errors.Add("priorityAreas", "A published pledge needs at least one priority area.");
        return errors;
    }

    /// <summary>A list sent as null, or with a null in it ("signatories": [null]): an error for each.</summary>
    private static bool NullItem<T>(ValidationErrors errors, string field, List<T>? items) where T : class
    {
        if (items is null)
        {
            errors.Add(field, $"{field} is null: send [] for none.");
            return true;
        }
        var found = false;
        for (var i = 0; i < items.Count; i++)
            if (items[i] is null)
            {
                errors.Add($"{field}[{i}]", $"{field}[{i}] is null.");
                found = true;
            }
        return found;
    }

    private static void CheckTexts(ValidationErrors errors, string field, List<string> items)
    {
        if (items.Count > MaxListItems)
            errors.Add(field, $"{field} may have at most {MaxListItems} entries.");
        for (var i = 0; i < items.Count; i++)
            errors.Required($"{field}[{i}]", items[i], TitleMaxLength);
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
