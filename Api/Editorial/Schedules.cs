using ContentApi.Api.Articles;
using ContentApi.Api.Auth;
using ContentApi.Api.Hosting;
using ContentApi.Api.Pledges;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ContentApi.Api.Editorial;

/// <summary>A publish or unpublish to carry out at a given time (UTC, ISO 8601).</summary>
public record ScheduleInput(ScheduledAction Action, DateTimeOffset At);

public record ScheduleDto(Guid Id, ScheduledAction Action, DateTimeOffset At, string CreatedBy, DateTimeOffset? DoneAt, string? Outcome);

public static class ScheduleEndpoints
{
    public static void MapSchedules(this IEndpointRouteBuilder app, string prefix, ContentKind kind, string tag)
    {
        var group = app.MapGroup($"{prefix}/{{id:guid}}/schedules").WithTags(tag)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);

        group.MapGet("/", async (ContentDbContext db, Guid id, CancellationToken ct) =>
                TypedResults.Ok(await db.Schedules.AsNoTracking().Where(s => s.ContentKind == kind && s.ContentId == id)
                    .OrderBy(s => s.DueAt).Select(s => new ScheduleDto(s.Id, s.Action, s.DueAt, s.CreatedBy, s.DoneAt, s.Outcome)).ToListAsync(ct)))
            .RequireAuthorization(AuthSetup.Editor)
            .WithName($"list{kind}Schedules")
            .WithSummary("The item's scheduled publish and unpublish times, done or not.")
            .WithDescription("Oldest first; a schedule carried out has `doneAt` and its `outcome`.");

        group.MapPost("/", async Task<Results<Created<ScheduleDto>, ValidationProblem, ProblemHttpResult>> (
                ContentDbContext db, HttpContext context, TimeProvider clock, Guid id, ScheduleInput input, CancellationToken ct) =>
            {
                var exists = kind == ContentKind.Article
                    ? await db.Articles.IgnoreQueryFilters().AnyAsync(a => a.Id == id, ct)
                    : await db.Pledges.IgnoreQueryFilters().AnyAsync(p => p.Id == id, ct);
                if (!exists)
                    return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"There is no {kind.ToString().ToLowerInvariant()} with id {id}.");
                var now = clock.GetUtcNow();
                if (input.At < now.AddMinutes(-1))
                    return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["at"] = ["at is in the past; give a future time (UTC)."] },
                        detail: "at is in the past; give a future time (UTC).");
                var schedule = new Schedule
                {
                    Id = Guid.NewGuid(), ContentKind = kind, ContentId = id, Action = input.Action, DueAt = input.At.ToUniversalTime(),
                    CreatedBy = Audit.Actor(context.User), CreatedAt = now,
                };
                db.Schedules.Add(schedule);
                Audit.Add(db, context, $"{kind.ToString().ToLowerInvariant()}.scheduled", kind, id, $"{input.Action} at {schedule.DueAt:O}");
                await db.SaveChangesAsync(ct);
                return TypedResults.Created($"{prefix}/{id}/schedules/{schedule.Id}",
                    new ScheduleDto(schedule.Id, schedule.Action, schedule.DueAt, schedule.CreatedBy, null, null));
            })
            .RequireAuthorization(AuthSetup.Publisher)
            .WithName($"create{kind}Schedule")
            .WithSummary("Schedule a publish or unpublish. It is carried out within a minute of its time, also after a restart.")
            .WithDescription("`at` is an ISO 8601 time in the future, e.g. `2025-02-12T07:00:00Z`; `action` is `Publish` or `Unpublish`.");

        group.MapDelete("/{scheduleId:guid}", async Task<Results<NoContent, ProblemHttpResult>> (
                ContentDbContext db, HttpContext context, Guid id, Guid scheduleId, CancellationToken ct) =>
            {
                var deleted = await db.Schedules.Where(s => s.Id == scheduleId && s.ContentId == id && s.DoneAt == null).ExecuteDeleteAsync(ct);
                if (deleted == 0)
                    return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "No pending schedule with that id.");
                Audit.Add(db, context, $"{kind.ToString().ToLowerInvariant()}.unscheduled", kind, id, scheduleId.ToString());
                await db.SaveChangesAsync(ct);
                return TypedResults.NoContent();
            })
            .RequireAuthorization(AuthSetup.Publisher)
            .WithName($"cancel{kind}Schedule")
            .WithSummary("Cancel a schedule that has not been carried out.")
            .WithDescription("A schedule already carried out, or an unknown one, is a 404.");
    }
}

public class ScheduleOptions
{
    public const string Section = "Schedules";

    /// <summary>How often the runner looks for due schedules.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(20);
}

/// <summary>
/// Carries out due schedules. Each is claimed with FOR UPDATE SKIP LOCKED inside the transaction that applies it, so two
/// instances of the API never both carry out one; a schedule done twice (after a crash) finds its work already done.
/// </summary>
public class ScheduleRunner(IServiceScopeFactory scopes, TimeProvider clock, IOptions<ScheduleOptions> options, ILogger<ScheduleRunner> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunDueAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // An outage is logged once by the requests it refuses; the next attempt will tell whether it is over.
                if (DatabaseOutage.IsUnreachable(e))
                    log.LogWarning("Carrying out schedules failed; trying again at the next poll. The database cannot be reached: {Error}", e.Message);
                else
                    log.LogError(e, "Carrying out schedules failed; trying again at the next poll.");
            }
            try
            {
                await Task.Delay(options.Value.PollInterval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Carries out every schedule whose time has come; returns how many.</summary>
    public async Task<int> RunDueAsync(CancellationToken ct)
    {
        var done = 0;
        while (await RunOneAsync(ct))
            done++;
        return done;
    }

    private async Task<bool> RunOneAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ContentDbContext>();
        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // The SQL picks one row; composed on (FirstOrDefault) EF Core would wrap it and warn of a First without OrderBy.
        var schedule = (await db.Schedules
            .FromSql($"SELECT * FROM schedules WHERE done_at IS NULL AND due_at <= {now} ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED")
            .ToListAsync(ct)).SingleOrDefault();
        if (schedule is null)
            return false;

        schedule.Outcome = schedule.ContentKind == ContentKind.Article
            ? await RunArticleAsync(db, schedule, now, ct)
            : await RunPledgeAsync(db, schedule, now, ct);
        schedule.DoneAt = now;
        db.AuditEntries.Add(new AuditEntry
        {
            At = now, Actor = $"schedule by {schedule.CreatedBy}", Action = $"{schedule.ContentKind.ToString().ToLowerInvariant()}.{schedule.Action.ToString().ToLowerInvariant()}",
            TargetType = schedule.ContentKind.ToString(), TargetId = schedule.ContentId, Status = 200, Details = schedule.Outcome,
        });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        log.LogInformation("Schedule {Id}: {Action} {Kind} {ContentId}: {Outcome}", schedule.Id, schedule.Action, schedule.ContentKind, schedule.ContentId, schedule.Outcome);
        return true;
    }

    private static async Task<string> RunArticleAsync(ContentDbContext db, Schedule schedule, DateTimeOffset now, CancellationToken ct)
    {
        var article = await db.Articles.IgnoreQueryFilters().Include(a => a.Contacts).FirstOrDefaultAsync(a => a.Id == schedule.ContentId, ct);
        if (article is null)
            return "the article no longer exists";
        var before = RevisionLog.Snapshot(ArticlePublishing.Snapshot(article));
        if (schedule.Action == ScheduledAction.Publish)
        {
            if (article.Status == ContentStatus.Published && article.PendingChanges is null)
                return "already published";
            var errors = await ArticlePublishing.PublishAsync(db, article, now, ct);
            if (!errors.IsEmpty)
                return $"not published: {errors}";
        }
        else
        {
            if (article.Status != ContentStatus.Published)
                return "already unpublished";
            await ArticlePublishing.WithdrawAsync(db, article, ContentStatus.Draft, now, ct);
        }
        AddRevision(db, schedule, article.Id, article.Version, before, RevisionLog.Snapshot(ArticlePublishing.Snapshot(article)), now);
        return schedule.Action == ScheduledAction.Publish ? "published" : "unpublished";
    }

    private static async Task<string> RunPledgeAsync(ContentDbContext db, Schedule schedule, DateTimeOffset now, CancellationToken ct)
    {
        var pledge = await db.Pledges.IgnoreQueryFilters().FirstOrDefaultAsync(p => p.Id == schedule.ContentId, ct);
        if (pledge is null)
            return "the pledge no longer exists";
        var target = schedule.Action == ScheduledAction.Publish ? ContentStatus.Published : ContentStatus.Draft;
        if (pledge.Status == target && (target != ContentStatus.Published || pledge.PendingChanges is null))
            return schedule.Action == ScheduledAction.Publish ? "already published" : "already unpublished";
        var before = RevisionLog.Snapshot(PledgeWriteEndpoints.Snapshot(pledge));
        var errors = await PledgePublishing.ChangeStatusAsync(db, pledge, target, now, ct);
        if (!errors.IsEmpty)
            return $"not published: {errors}";
        AddRevision(db, schedule, pledge.Id, pledge.Version, before, RevisionLog.Snapshot(PledgeWriteEndpoints.Snapshot(pledge)), now);
        return schedule.Action == ScheduledAction.Publish ? "published" : "unpublished";
    }

    private static void AddRevision(ContentDbContext db, Schedule schedule, Guid id, int version,
        System.Text.Json.Nodes.JsonNode before, System.Text.Json.Nodes.JsonNode after, DateTimeOffset now) =>
        RevisionLog.Add(db, $"schedule by {schedule.CreatedBy}", now, schedule.ContentKind, id, version,
            schedule.Action == ScheduledAction.Publish ? "published" : "unpublished", before, after);
}
