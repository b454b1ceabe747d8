using System.ComponentModel.DataAnnotations;
using ContentApi.Api.Reading;
using ContentApi.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Api.Tags;

/// <summary>
/// How many published articles carry a tag in a month of publication (UTC): OData <c>/odata/TagMonths</c>, the
/// ready-made answer to "articles per tag per month" for Power BI and Excel. Tag "" is every published article of the
/// month. Public by nature, like <see cref="Tag"/>: read from the kept counts (<see cref="PublishedMonthCount"/>)
/// whoever asks, so drafts and pending versions never count.
/// </summary>
public sealed class TagMonth
{
    /// <summary>The tag, e.g. "trygghet"; "" for all published articles of the month.</summary>
    [Key]
    public string Tag { get; set; } = "";

    /// <summary>The year of publication (UTC).</summary>
    [Key]
    public int Year { get; set; }

    /// <summary>The month of publication, 1-12 (UTC).</summary>
    [Key]
    public int Month { get; set; }

    /// <summary>Published articles with the tag published that month (at least 1).</summary>
    public int ArticleCount { get; set; }

    /// <summary>The kept counts as a query: OData composes $filter, $orderby, $apply and paging on it.</summary>
    public static IQueryable<TagMonth> Query(ContentReader reader) =>
        reader.Db.PublishedMonthCounts.AsNoTracking().Where(c => c.Count > 0)
            .Select(c => new TagMonth
            {
                Tag = EF.Functions.Collate(c.Tag, TagEndpoints.SwedishCollation), Year = c.Year, Month = c.Month, ArticleCount = (int)c.Count,
            });
}
