namespace ContentApi.Domain;

/// <summary>What an editor writes in a pledge: everything but its status and timestamps.</summary>
public record PledgeContent
{
    public int Year { get; init; }
    public string Title { get; init; } = "";
    public string Summary { get; init; } = "";
    public List<string> Parties { get; init; } = [];
    public List<Signatory> Signatories { get; init; } = [];
    public DateOnly? SignedOn { get; init; }
    public DateOnly ValidFrom { get; init; }
    public DateOnly ValidTo { get; init; }
    public List<string> Basis { get; init; } = [];
    public List<PriorityArea> PriorityAreas { get; init; } = [];
    public List<OngoingEffort> OngoingEfforts { get; init; } = [];
    public Guid? PhotoId { get; init; }
    public Guid? ContactId { get; init; }

    private const int TitleMaxLength = Pledge.TitleMaxLength;
    private const int SummaryMaxLength = Pledge.SummaryMaxLength;
    private const int TextMaxLength = Pledge.TextMaxLength;
    private const int MinYear = Pledge.MinYear;
    private const int MaxYear = Pledge.MaxYear;
    private const int MaxListItems = Pledge.MaxListItems;

    /// <summary>
    /// The app tells "this commitment changed" from "a new one" by its id. A commitment sent without an id keeps the id
    /// of the current commitment with the same text (in the same priority area, else anywhere); otherwise it gets a new one.
    /// </summary>
    public PledgeContent WithCommitmentIds(PledgeContent current)
    {
        var taken = PriorityAreas.Where(a => a is not null).SelectMany(a => a.Commitments ?? []).Where(c => c is not null && c.Id != Guid.Empty)
            .Select(c => c.Id).ToHashSet();
        var known = current.PriorityAreas.SelectMany(a => a.Commitments.Select(c => (Area: a.Title, Commitment: c))).ToList();
        foreach (var area in PriorityAreas.Where(a => a is not null))
            foreach (var commitment in (area.Commitments ?? []).Where(c => c is not null && c.Id == Guid.Empty))
            {
                var match = known.Where(k => !taken.Contains(k.Commitment.Id) && k.Commitment.Text == commitment.Text)
                    .OrderByDescending(k => k.Area == area.Title).Select(k => k.Commitment.Id).FirstOrDefault();
                commitment.Id = match != Guid.Empty ? match : Guid.NewGuid();
                taken.Add(commitment.Id);
            }
        return this;
    }

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
        var ids = PriorityAreas.SelectMany(a => a.Commitments).Where(c => c.Id != Guid.Empty).Select(c => c.Id).ToList();
        if (ids.Distinct().Count() != ids.Count)
            errors.Add("priorityAreas", "Each commitment id may appear once.");
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
}
