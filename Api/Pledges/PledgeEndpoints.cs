using ContentApi.Api.Contacts;
using ContentApi.Api.Hosting;
using ContentApi.Api.Photos;
using ContentApi.Api.Reading;
using ContentApi.Domain;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Api.Pledges;

public static class PledgeEndpoints
{
    public static void MapPledges(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(ContentRoutes.Pledges).WithTags("Pledges");

        group.MapGet("/", ListYears)
            .WithName("listPledgeYears")
            .WithSummary("The years that have a published pledge, newest first.")
            .AllowQuery()
            .WithDescription("Each year with its title, validity and whether it is `current` (in force today); one year's pledge is at /api/pledges/by-year/{year}.");
        group.MapGet("/current", GetCurrent)
            .WithName("getCurrentPledge")
            .WithSummary("The pledge in force today; when none is, the most recent one.")
            .AllowQuery()
            .WithDescription("What the app shows first: priority areas, commitments with their status, and progress counts.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/by-year/{year:int}", GetByYear)
            .WithName("getPledgeByYear")
            .WithSummary("The published pledge of a year, e.g. 2024.")
            .AllowQuery()
            .WithDescription("A year without a published pledge is a 404.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        // The old address: /api/pledges/{year} had the shape of /api/pledges/{id}, which client generators refuse.
        group.MapGet("/{year:int}", (int year, HttpRequest request) =>
                TypedResults.Redirect($"{request.PathBase}/api/pledges/by-year/{year}{request.QueryString}", permanent: true))
            .ExcludeFromDescription();
    }

    private static async Task<Ok<List<PledgeYearDto>>> ListYears(ContentReader reader, TimeProvider clock, CancellationToken ct)
    {
        var today = Today(clock);
        var years = await reader.Pledges.OrderByDescending(p => p.Year)
            .Select(p => new PledgeYearDto(p.Year, p.Title, p.ValidFrom, p.ValidTo, p.ValidFrom <= today && today <= p.ValidTo))
            .ToListAsync(ct);
        return TypedResults.Ok(years);
    }

    private static Task<Results<Ok<PledgeDto>, ProblemHttpResult>> GetCurrent(ContentReader reader, HttpContext context, TimeProvider clock, CancellationToken ct)
    {
        var today = Today(clock);
        // In force today first; otherwise the latest that has started; otherwise the latest at all.
        var query = reader.Pledges
            .OrderByDescending(p => p.ValidFrom <= today && today <= p.ValidTo)
            .ThenByDescending(p => p.ValidFrom <= today)
            .ThenByDescending(p => p.Year);
        return AnswerAsync(reader, context, query, today, "No pledge has been published yet.", ct);
    }

    private static Task<Results<Ok<PledgeDto>, ProblemHttpResult>> GetByYear(ContentReader reader, HttpContext context, TimeProvider clock, int year, CancellationToken ct) =>
        AnswerAsync(reader, context, reader.Pledges.Where(p => p.Year == year), Today(clock), $"There is no published pledge for {year}.", ct);

    /// <summary>One pledge as the caller may see it (the version an editor works on, for editors); null when not seen.</summary>
    public static async Task<PledgeDto?> ReadAsync(ContentReader reader, Guid id, CancellationToken ct) =>
        (await LoadAsync(reader, reader.Pledges.Where(p => p.Id == id), Today(reader.Clock), ct))?.Pledge;

    private static async Task<Results<Ok<PledgeDto>, ProblemHttpResult>> AnswerAsync(
        ContentReader reader, HttpContext context, IQueryable<Pledge> query, DateOnly today, string notFound, CancellationToken ct)
    {
        var loaded = await LoadAsync(reader, query, today, ct);
        if (loaded is not { } found)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Pledge not found", detail: notFound);
        // Editors get the version to send back in If-Match.
        if (reader.Preview)
            Editorial.Concurrency.SetETag(context, found.Version);
        return TypedResults.Ok(found.Pledge);
    }

    private static DateOnly Today(TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);


    /// <summary>Pledges by id as the caller may see them (the app's sync reads pages of them).</summary>
    public static async Task<List<PledgeDto>> ReadManyAsync(ContentReader reader, IReadOnlyCollection<Guid> ids, CancellationToken ct) =>
        [.. (await LoadManyAsync(reader, reader.Pledges.Where(p => ids.Contains(p.Id)), Today(reader.Clock), ct)).Select(l => l.Pledge)];

    private static async Task<(PledgeDto Pledge, int Version)?> LoadAsync(ContentReader reader, IQueryable<Pledge> query, DateOnly today, CancellationToken ct) =>
        (await LoadManyAsync(reader, query.Take(1), today, ct)) is [var found] ? found : null;

    private static async Task<List<(PledgeDto Pledge, int Version)>> LoadManyAsync(ContentReader reader, IQueryable<Pledge> query, DateOnly today, CancellationToken ct)
    {
        var rows = await query
            .Select(p => new
            {
                Pledge = p,
                p.Photo,
                p.Contact,
                Articles = p.Articles.OrderByDescending(a => a.PublishedAt)
                    .Select(a => new ArticleLinkDto(a.Id, a.Slug, a.Title, a.PublishedAt)).ToList(),
            })
            .ToListAsync(ct);
        return [.. rows.Select(row =>
        {
            var p = row.Pledge;
            var areas = p.PriorityAreas.Select(a => new PriorityAreaDto(a.Title, a.Description,
                [.. a.Commitments.Select(c => new CommitmentDto(c.Id, c.Text, c.ResponsibleParty, c.Status))],
                ProgressDto.Of(a.Commitments))).ToList();
            return (new PledgeDto(
                p.Id, p.Year, p.Title, p.IsValidOn(today), p.Summary, p.Parties, p.Signatories, p.SignedOn, p.ValidFrom, p.ValidTo, p.Basis,
                areas, p.OngoingEfforts, ProgressDto.Of(p.PriorityAreas.SelectMany(a => a.Commitments)),
                row.Photo is null ? null : PhotoDto.From(row.Photo),
                row.Contact is null ? null : ContactDto.From(row.Contact),
                row.Articles, p.PublishedAt, p.UpdatedAt, p.Status,
                p.HasPendingChanges), p.Version);
        })];
    }
}
