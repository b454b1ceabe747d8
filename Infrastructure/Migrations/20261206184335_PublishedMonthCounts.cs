using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ContentApi.Infrastructure.Migrations
{
    /// <summary>
    /// Published articles per tag and month of publication (UTC), kept in step by the saving transaction
    /// (<see cref="PublishedMonthCount"/>, OData <c>TagMonths</c>): "articles per tag per month", the question a Power BI
    /// report asks, costs a read of one row per tag and month at any size of the table. Tag '' counts every published article of
    /// the month.
    /// </summary>
    /// <remarks>
    /// The statement triggers work as migration PublishedCounts' do (the rule of published restated in SQL, +1 for every
    /// row published after a statement, -1 for every row published before it, the same advisory lock so that saves
    /// changing counts queue in one line); Tests/Delivery/PublishedCountTests compares these counts with the delivery
    /// face after every kind of save.
    /// </remarks>
    public partial class PublishedMonthCounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The rule of Domain/Visibility.cs: published is status = 'Published'.
            const string added = "SELECT tags, published_at, 1 FROM new_rows WHERE status = 'Published'";
            const string removed = "SELECT tags, published_at, -1 FROM old_rows WHERE status = 'Published'";
            migrationBuilder.Sql($"""
                CREATE TABLE published_month_counts (
                    tag text NOT NULL,
                    year integer NOT NULL,
                    month integer NOT NULL,
                    count bigint NOT NULL,
                    CONSTRAINT pk_published_month_counts PRIMARY KEY (tag, year, month));
                -- TagMonths is read in Swedish order of tags (Api/Tags/TagMonth.cs): a page is then a walk of this index,
                -- not a sort of every row (26 tags × 240 months for twenty years).
                CREATE INDEX ix_published_month_counts_swedish ON published_month_counts ((tag COLLATE "sv-SE-x-icu"), year, month);
                -- No save may change the articles between the count below and the triggers taking over.
                LOCK TABLE articles IN SHARE MODE;

                -- Published articles per tag and month (published_month_counts): the rule of published is
                -- Domain/Visibility.cs (Visibility.PublicArticle: status = 'Published'); Tests/Delivery/PublishedCountTests
                -- compares the two.
                CREATE FUNCTION count_published_article_months() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'INSERT' THEN
                        {Changes(added)}
                    ELSIF TG_OP = 'DELETE' THEN
                        {Changes(removed)}
                    ELSE
                        {Changes(added + " UNION ALL " + removed)}
                    END IF;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER articles_month_counted_on_insert AFTER INSERT ON articles
                    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION count_published_article_months();
                CREATE TRIGGER articles_month_counted_on_update AFTER UPDATE ON articles
                    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION count_published_article_months();
                CREATE TRIGGER articles_month_counted_on_delete AFTER DELETE ON articles
                    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION count_published_article_months();

                INSERT INTO published_month_counts (tag, year, month, count)
                SELECT t.tag, extract(year FROM a.published_at AT TIME ZONE 'UTC')::int,
                    extract(month FROM a.published_at AT TIME ZONE 'UTC')::int, count(*)
                FROM articles a CROSS JOIN LATERAL (SELECT unnest(a.tags) AS tag UNION SELECT '') t
                WHERE a.status = 'Published'
                GROUP BY 1, 2, 3;
                """);
        }

        /// <summary>
        /// What one statement changed, added to the counts: per distinct tag of each row and '' (all), per month of its
        /// publication. A save that changes neither the status, the tags nor the publication time of a published row
        /// changes nothing and locks nothing.
        /// </summary>
        private static string Changes(string changed) => $"""
            WITH changed(tags, published_at, d) AS ({changed}),
            per_month AS (
                SELECT t.tag, extract(year FROM c.published_at AT TIME ZONE 'UTC')::int AS year,
                    extract(month FROM c.published_at AT TIME ZONE 'UTC')::int AS month, sum(c.d) AS d
                FROM changed c CROSS JOIN LATERAL (SELECT unnest(c.tags) AS tag UNION SELECT '') t
                GROUP BY 1, 2, 3 HAVING sum(c.d) <> 0)
            INSERT INTO published_month_counts AS p (tag, year, month, count)
            SELECT tag, year, month, d FROM per_month
            WHERE pg_advisory_xact_lock({AdvisoryLock}) IS NOT NULL
            ORDER BY tag COLLATE "C", year, month
            ON CONFLICT (tag, year, month) DO UPDATE SET count = p.count + excluded.count;
            """;

        /// <summary>Migration PublishedCounts' lock: saves that change any count queue in one line.</summary>
        private const long AdvisoryLock = 7_013_200_613;

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER articles_month_counted_on_insert ON articles;
                DROP TRIGGER articles_month_counted_on_update ON articles;
                DROP TRIGGER articles_month_counted_on_delete ON articles;
                DROP FUNCTION count_published_article_months();
                DROP TABLE published_month_counts;
                """);
        }
    }
}
