using ContentApi.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Api.Reading;

/// <summary>
/// Totals for anonymous readers from the counts the saving transaction keeps (<see cref="PublishedCount"/>): one row
/// read instead of counting every published article, exact as soon as a save commits, on any instance. Null when
/// these counts cannot answer: the caller previews (editors count what they see, drafts included), or the question is
/// not "all" or "with this one tag". Those counts keep going through count(*) and the count cache.
/// </summary>
public static class PublishedCounts
{
    /// <summary>Published articles with the tag, or all of them when the tag is null; null when these counts cannot answer.</summary>
    public static async Task<int?> ArticlesAsync(ContentReader reader, string? tag, CancellationToken ct) =>
        await CountAsync(reader, PublishedCount.Articles, tag, ct) is { } count ? checked((int)count) : null;

    /// <summary>
    /// The same for OData's $count (<see cref="OData.PublishedCountOption"/>): published articles with the tag or all
    /// of them, or all published pledges.
    /// </summary>
    public static async Task<long?> CountAsync(ContentReader reader, string contentType, string? tag, CancellationToken ct) =>
        Answers(reader, tag) ? await Read(reader.Db, contentType, tag ?? PublishedCount.All, ct) : null;

    // The delivery face only (a compiled query is bound to its model). No tag is empty (ArticleContent refuses one);
    // an empty tag asked for would read the row of all.
    private static bool Answers(ContentReader reader, string? tag) => !reader.Preview && tag is not "";

    // Not a compiled query: one of those is bound to one EF model, and every host (a test's second one, too) has its own.
    private static Task<long> Read(ContentDbContext db, string contentType, string tag, CancellationToken ct) =>
        db.PublishedCounts.Where(c => c.ContentType == contentType && c.Tag == tag).Select(c => c.Count).FirstOrDefaultAsync(ct);
}
