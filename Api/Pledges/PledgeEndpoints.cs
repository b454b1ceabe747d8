using ContentApi.Api.Contacts;
using ContentApi.Api.Photos;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Api.Pledges;

public static class PledgeEndpoints
{
    public static void MapPledges(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/pledges").WithTags("Pledges");

        group.MapGet("/", ListYears)
            .WithSummary("The years that have a published pledge, newest first.");
        group.MapGet("/current", GetCurrent)
            .WithSummary("The pledge in force today; when none is, the most recent one.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{year:int}", GetByYear)
            .WithSummary("The published pledge of a year, e.g. 2024.")
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Ok<List<PledgeYearDto>>> ListYears(ContentDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var years = await db.Pledges.AsNoTracking().OrderByDescending(p => p.Year)
            .Select(p => new PledgeYearDto(p.Year, p.Title, p.ValidFrom, p.ValidTo, p.ValidFrom <= today && today <= p.ValidTo))
            .ToListAsync(ct);
        return TypedResults.Ok(years);
    }

    private static async Task<Results<Ok<PledgeDto>, ProblemHttpResult>> GetCurrent(ContentDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        // In force today first; otherwise the latest that has started; otherwise the latest at all.
        var query = db.Pledges
            .OrderByDescending(p => p.ValidFrom <= today && today <= p.ValidTo)
            .ThenByDescending(p => p.ValidFrom <= today)
            .ThenByDescending(p => p.Year);
        return await GetPledge(query, today, "No pledge has been published yet.", ct);
    }

    private static Task<Results<Ok<PledgeDto>, ProblemHttpResult>> GetByYear(ContentDbContext db, TimeProvider clock, int year, CancellationToken ct) =>
        GetPledge(db.Pledges.Where(p => p.Year == year), DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime),
            $"There is no published pledge for {year}.", ct);

    private static async Task<Results<Ok<PledgeDto>, ProblemHttpResult>> GetPledge(
        IQueryable<Pledge> query, DateOnly today, string notFound, CancellationToken ct)
    {
        var row = await query.AsNoTracking()
            .Select(p => new
            {
                Pledge = p,
                p.Photo,
                p.Contact,
                Articles = p.Articles.OrderByDescending(a => a.PublishedAt)
                    .Select(a => new ArticleLinkDto(a.Id, a.Slug, a.Title, a.PublishedAt)).ToList(),
            })
            .FirstOrDefaultAsync(ct);
        if (row is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Pledge not found", detail: notFound);

        var p = row.Pledge;
        var areas = p.PriorityAreas.Select(a => new PriorityAreaDto(a.Title, a.Description,
            [.. a.Commitments.Select(c => new CommitmentDto(c.Text, c.ResponsibleParty, c.Status))],
            ProgressDto.Of(a.Commitments))).ToList();
        return TypedResults.Ok(new PledgeDto(
            p.Id, p.Year, p.Title, p.IsValidOn(today), p.Summary, p.Parties, p.Signatories, p.SignedOn, p.ValidFrom, p.ValidTo, p.Basis,
            areas, p.OngoingEfforts, ProgressDto.Of(p.PriorityAreas.SelectMany(a => a.Commitments)),
            row.Photo is null ? null : PhotoDto.From(row.Photo),
            row.Contact is null ? null : ContactDto.From(row.Contact),
            row.Articles, p.PublishedAt, p.UpdatedAt));
    }
}
