using ContentApi.Domain;
using ContentApi.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Api.Editorial;

/// <summary>The steps every change to a pledge, photo or contact goes through.</summary>
public static class Editing
{
    /// <summary>
    /// Checks If-Match, applies the change, validates, and saves it with a revision and an audit entry. Returns the
    /// problem to answer with, or null when the change is saved.
    /// </summary>
    public static async Task<IResult?> SaveAsync<T>(ContentDbContext db, HttpContext context, T item, ContentKind kind, string action,
        Func<T, object> snapshot, Func<T, Task<ValidationErrors>> change, CancellationToken ct, bool ifMatchRequired = true)
        where T : class, IVersioned
    {
        if (Concurrency.CheckIfMatch(context, item.Version, ifMatchRequired) is { } precondition)
            return precondition;
        var before = RevisionLog.Snapshot(snapshot(item));
        var errors = await change(item);
        if (!errors.IsEmpty)
            return TypedResults.ValidationProblem(errors.ToDictionary(), detail: errors.ToString());
        item.NextVersion();
        RevisionLog.Add(db, context, kind, item.Id, item.Version, action, before, RevisionLog.Snapshot(snapshot(item)));
        return await Concurrency.SaveAsync(db, context, () => db.Set<T>().IgnoreQueryFilters().Where(x => x.Id == item.Id)
            .Select(x => (int?)x.Version).FirstOrDefaultAsync(ct), ct);
    }

    /// <summary>Adds a new item with its first revision.</summary>
    public static async Task<IResult?> CreateAsync<T>(ContentDbContext db, HttpContext context, T item, ContentKind kind,
        Func<T, object> snapshot, ValidationErrors errors, CancellationToken ct)
        where T : class, IVersioned
    {
        if (!errors.IsEmpty)
            return TypedResults.ValidationProblem(errors.ToDictionary(), detail: errors.ToString());
        db.Add(item);
        RevisionLog.Add(db, context, kind, item.Id, 1, "created", null, RevisionLog.Snapshot(snapshot(item)));
        await db.SaveChangesAsync(ct);
        return null;
    }

    /// <summary>Deletes an item, leaving a last revision that says so.</summary>
    public static async Task<IResult?> DeleteAsync<T>(ContentDbContext db, HttpContext context, T item, ContentKind kind,
        Func<T, object> snapshot, CancellationToken ct)
        where T : class, IVersioned
    {
        if (Concurrency.CheckIfMatch(context, item.Version) is { } precondition)
            return precondition;
        var before = RevisionLog.Snapshot(snapshot(item));
        db.Remove(item);
        RevisionLog.Add(db, context, kind, item.Id, item.Version + 1, "deleted", before, new System.Text.Json.Nodes.JsonObject());
        return await Concurrency.SaveAsync(db, context, () => db.Set<T>().IgnoreQueryFilters().Where(x => x.Id == item.Id)
            .Select(x => (int?)x.Version).FirstOrDefaultAsync(ct), ct);
    }

    public static ProblemHttpResult NotFound(string what, Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"{what} not found", detail: $"There is no {what.ToLowerInvariant()} with id {id}.");

    /// <summary>
    /// One of the problems above (a validation problem, or a 404, 409, 412 or 428) as an answer of a handler with typed
    /// results, so that the handler's signature documents them.
    /// </summary>
    public static Results<TOk, ValidationProblem, ProblemHttpResult> AsTyped<TOk>(IResult problem) where TOk : IResult => problem switch
    {
        ValidationProblem validation => validation,
        ProblemHttpResult other => other,
        _ => throw new InvalidOperationException($"{problem.GetType().Name} is not an editing problem."),
    };
}
