using ContentApi.Domain;
using ContentApi.Infrastructure.Configurations;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ContentApi.Infrastructure;

/// <summary>
/// Computes the LIX of the articles that were there before migration Readability, which lists them in
/// <see cref="Table"/>: the rule is C#'s (<see cref="Readability"/>), not restated in SQL. Runs after the migrations
/// (<see cref="ContentDbContext.MigrateAsync"/>), in batches, each its own transaction, and drops the list when it is
/// empty, so an interrupted run goes on where it stopped and a finished one costs one catalogue lookup.
/// </summary>
/// <remarks>
/// Not a change of content: the batches write no change-log entries (the log's row trigger is off inside each batch's
/// transaction, which holds writers back meanwhile), so no webhook fires and no sync client refetches 100,000 articles
/// for a new field; they see <c>lix</c> when an article next changes. The published counts' statement trigger runs and
/// finds nothing changed. Measured on the 100,000-article copy: see the README's "Content quality".
/// </remarks>
public static class ReadabilityBackfill
{
    public const string Table = "lix_backfill";

    /// <summary>What the migration runs: the list of articles to compute.</summary>
    internal const string ListSql = $"CREATE TABLE {Table} (id uuid PRIMARY KEY); INSERT INTO {Table} SELECT id FROM articles;";

    private const int BatchSize = 5_000;

    /// <summary>Computes what is listed; returns how many articles it computed.</summary>
    public static async Task<int> RunAsync(ContentDbContext db, CancellationToken ct = default)
    {
        if (!await db.Database.SqlQueryRaw<bool>($"SELECT to_regclass('{Table}') IS NOT NULL AS \"Value\"").SingleAsync(ct))
            return 0;
        var done = 0;
        while (true)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            // Lock first (writers wait from here to the commit), then read: what is computed is what is stored.
            await db.Database.ExecuteSqlRawAsync("ALTER TABLE articles DISABLE TRIGGER articles_logged", ct);
            var ids = await db.Database.SqlQueryRaw<Guid>($"SELECT id AS \"Value\" FROM {Table} LIMIT {BatchSize}").ToListAsync(ct);
            if (ids.Count == 0)
            {
                await db.Database.ExecuteSqlRawAsync($"ALTER TABLE articles ENABLE TRIGGER articles_logged; DROP TABLE {Table}", ct);
                await transaction.CommitAsync(ct);
                return done;
            }
            var rows = await db.Articles.IgnoreQueryFilters().AsNoTracking().Where(a => ids.Contains(a.Id))
                .Select(a => new { a.Id, a.Title, a.Lead, a.Body, a.PendingChanges }).ToListAsync(ct);
            var lix = rows.Select(r => Readability.Lix(r.Title, r.Lead, r.Body)).ToArray();
            var pending = rows.Select(r => r.PendingChanges is { } p ? PendingJson.WriteArticle(p) : null).ToArray();
            await db.Database.ExecuteSqlRawAsync($"""
                UPDATE articles a SET lix = v.lix, pending_changes = coalesce(v.pending::jsonb, a.pending_changes)
                FROM unnest(@ids, @lix, @pending) AS v(id, lix, pending) WHERE a.id = v.id;
                DELETE FROM {Table} WHERE id = ANY(@all);
                ALTER TABLE articles ENABLE TRIGGER articles_logged;
                """,
                [new NpgsqlParameter("ids", rows.Select(r => r.Id).ToArray()), new NpgsqlParameter("lix", lix),
                    new NpgsqlParameter("pending", pending), new NpgsqlParameter("all", ids.ToArray())], ct);
            await transaction.CommitAsync(ct);
            done += rows.Count;
        }
    }
}
