using System.Text.Json.Serialization;
using ContentApi.Api.Contacts;
using ContentApi.Api.Photos;
using ContentApi.Domain;

namespace ContentApi.Api.Pledges;

/// <summary>How far the commitments have come: counts by status.</summary>
public record ProgressDto(int Total, int Planned, int InProgress, int Done)
{
    public static ProgressDto Of(IEnumerable<Commitment> commitments)
    {
        var list = commitments.ToList();
        return new ProgressDto(list.Count,
            list.Count(c => c.Status == CommitmentStatus.Planned),
            list.Count(c => c.Status == CommitmentStatus.InProgress),
            list.Count(c => c.Status == CommitmentStatus.Done));
    }
}

/// <summary>One commitment; its id stays the same across versions (the app can tell a changed commitment from a new one).</summary>
public record CommitmentDto(Guid Id, string Text, string ResponsibleParty, CommitmentStatus Status);

public record PriorityAreaDto(string Title, string Description, List<CommitmentDto> Commitments, ProgressDto Progress);

public record ArticleLinkDto(Guid Id, string Slug, string Title, DateTimeOffset? PublishedAt);

/// <summary>
/// A citizen pledge (medborgarlöfte) with everything the app shows; <c>current</c> is true while it is in force. Editors
/// see the version they work on, with <c>status</c> and <c>hasPendingChanges</c> (true when readers do not see it yet).
/// </summary>
public record PledgeDto(
    Guid Id, int Year, string Title, bool Current, string Summary, List<string> Parties, List<Signatory> Signatories,
    DateOnly? SignedOn, DateOnly ValidFrom, DateOnly ValidTo, List<string> Basis,
    List<PriorityAreaDto> PriorityAreas, List<OngoingEffort> OngoingEfforts, ProgressDto Progress,
    PhotoDto? Photo, ContactDto? Contact, List<ArticleLinkDto> Articles,
    DateTimeOffset? PublishedAt, DateTimeOffset UpdatedAt, ContentStatus Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? HasPendingChanges);

/// <summary>One year in the list of pledges.</summary>
public record PledgeYearDto(int Year, string Title, DateOnly ValidFrom, DateOnly ValidTo, bool Current);
