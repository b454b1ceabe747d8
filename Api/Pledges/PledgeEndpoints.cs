using ContentApi.Api.Auth;
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
            .WithName("listPledgeYears")
            .WithSummary("The years that have a published pledge, newest first.")
            .WithDescription("Each year with its title, validity and whether it is `current` (in force today); one year's pledge is at /api/pledges/by-year/{year}.");
        group.MapGet("/current", GetCurrent)
            .WithName("getCurrentPledge")
            .WithSummary("The pledge in force today; when none is, the most recent one.")
            .WithDescription("What the app shows first: priority areas, commitments with their status, and progress counts.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/by-year/{year:int}", GetByYear)
            .WithName("getPledgeByYear")
            .WithSummary("The published pledge of a year, e.g. 2024.")
            .WithDescription("A year without a published pledge is a 404.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        // The old address: /api/pledges/{year} had the shape of /api/pledges/{id}, which client generators refuse.
        group.MapGet("/{year:int}", (int year, HttpRequest request) =>
                TypedResults.Redirect($"{request.PathBase}/api/pledges/by-year/{year}{request.QueryString}", permanent: true))
            .ExcludeFromDescription();
    }

    private static async Task<Ok<List<PledgeYearDto>>> ListYears(ContentDbContext db, HttpContext context, TimeProvider clock, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var years = await Visible(db, context).AsNoTracking().OrderByDescending(p => p.Year)
            .Select(p => new PledgeYearDto(p.Year, p.Title, p.ValidFrom, p.ValidTo, p.ValidFrom <= today && today <= p.ValidTo))
            .ToListAsync(ct);
        return TypedResults.Ok(years);
    }

    private static async Task<Results<Ok<PledgeDto>, ProblemHttpResult>> GetCurrent(ContentDbContext db, HttpContext context, TimeProvider clock, CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        // In force today first; otherwise the latest that has started; otherwise the latest at all.
        var query = Visible(db, context)
            .OrderByDescending(p => p.ValidFrom <= today && today <= p.ValidTo)
            .ThenByDescending(p => p.ValidFrom <= today)
            .ThenByDescending(p => p.Year);
        return await WithETag(db, context, GetPledge(query, today, "No pledge has been published yet.", ct));
    }

    private static Task<Results<Ok<PledgeDto>, ProblemHttpResult>> GetByYear(ContentDbContext db, HttpContext context, TimeProvider clock, int year, CancellationToken ct) =>
        WithETag(db, context, GetPledge(Visible(db, context).Where(p => p.Year == year), DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime),
            $"There is no published pledge for {year}.", ct));

    private static async Task<Results<Ok<PledgeDto>, ProblemHttpResult>> GetPledge(
        IQueryable<Pledge> query, DateOnly today, string notFound, CancellationToken ct)
    {
        var pledge = await LoadAsync(query, today, ct);
        return pledge is null
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Pledge not found", detail: notFound)
            : TypedResults.Ok(pledge);
    }

    /// <summary>Editors get the version to send back in If-Match.</summary>
    private static async Task<Results<Ok<PledgeDto>, ProblemHttpResult>> WithETag(
        ContentDbContext db, HttpContext context, Task<Results<Ok<PledgeDto>, ProblemHttpResult>> read)
    {
        var result = await read;
        if (context.User.CanPreview() && result.Result is Ok<PledgeDto> { Value: { } pledge })
            Editorial.Concurrency.SetETag(context, await db.Pledges.IgnoreQueryFilters().Where(p => p.Id == pledge.Id).Select(p => p.Version).FirstAsync());
        return result;
    }

    /// <summary>The editors' view of one pledge, drafts and all.</summary>
    public static async Task<PledgeDto> PreviewAsync(ContentDbContext db, Guid id, TimeProvider clock, CancellationToken ct) =>
        (await LoadAsync(db.Pledges.IgnoreQueryFilters().Where(p => p.Id == id), DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime), ct))!;

    /// <summary>What the caller may read: published pledges, or everything for editors (preview).</summary>
    private static IQueryable<Pledge> Visible(ContentDbContext db, HttpContext context)
    {
        if (!context.User.CanPreview())
            return db.Pledges;
        context.Response.Headers.CacheControl = "private, no-store";
        return db.Pledges.IgnoreQueryFilters();
    }

    private static async Task<PledgeDto?> LoadAsync(IQueryable<Pledge> query, DateOnly today, CancellationToken ct)
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
            return null;

        var p = row.Pledge;
        var areas = p.PriorityAreas.Select(a => new PriorityAreaDto(a.Title, a.Description,
            [.. a.Commitments.Select(c => new CommitmentDto(c.Text, c.ResponsibleParty, c.Status))],
            ProgressDto.Of(a.Commitments))).ToList();
        return new PledgeDto(
            p.Id, p.Year, p.Title, p.IsValidOn(today), p.Summary, p.Parties, p.Signatories, p.SignedOn, p.ValidFrom, p.ValidTo, p.Basis,
            areas, p.OngoingEfforts, ProgressDto.Of(p.PriorityAreas.SelectMany(a => a.Commitments)),
            row.Photo is null ? null : PhotoDto.From(row.Photo),
            row.Contact is null ? null : ContactDto.From(row.Contact),
            row.Articles, p.PublishedAt, p.UpdatedAt);
    }
}
