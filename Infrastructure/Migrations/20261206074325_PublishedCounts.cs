using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ContentApi.Infrastructure.Migrations
{
    /// <summary>
    /// Published counts kept in step by the saving transaction (<see cref="PublishedCount"/>): the number of published
    /// articles, per tag and in all, and of published pledges, so that a list's total and OData's $count cost one row
    /// at any size of the table and are exact for anonymous readers as soon as a save commits.
    /// </summary>
    /// <remarks>
    /// "Published" is the one rule of Domain/Visibility.cs (<c>Visibility.PublicArticle</c>, <c>PublicPledge</c>:
    /// status = Published); the triggers restate it in SQL, and Tests/Delivery/PublishedCountTests fails when the counts
    /// and the delivery face's count(*) disagree.
    /// </remarks>
    public partial class PublishedCounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "published_counts",
                columns: table => new
                {
                    content_type = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    tag = table.Column<string>(type: "text", nullable: false),
                    count = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_published_counts", x => new { x.content_type, x.tag });
                });

            // No save may change either table between the count below and the triggers taking over.
            migrationBuilder.Sql("LOCK TABLE articles, pledges IN SHARE MODE;");
            migrationBuilder.Sql(Counting("articles", "tags"));
            migrationBuilder.Sql(Counting("pledges", "ARRAY[]::text[]"));
            migrationBuilder.Sql("""
                INSERT INTO published_counts (content_type, tag, count)
                SELECT 'articles', '', count(*) FROM articles WHERE status = 'Published'
                UNION ALL
                SELECT 'articles', t.tag, count(*)
                FROM articles a CROSS JOIN LATERAL (SELECT DISTINCT unnest(a.tags) AS tag) t
                WHERE a.status = 'Published' GROUP BY t.tag
                UNION ALL
                SELECT 'pledges', '', count(*) FROM pledges WHERE status = 'Published';
                """);
        }

        /// <summary>
        /// The trigger function and its three statement triggers for one table (a trigger with transition tables has one
        /// event). Each statement adds what it changed: +1 for every row published after it, -1 for every row published
        /// before it, per distinct tag and in all (tag ''), so a save that changes neither status nor tags of a published
        /// row changes nothing and locks nothing. Bulk inserts (generate-articles) add once per statement.
        /// </summary>
        /// <remarks>
        /// Concurrent saves: a statement that changes a count first takes one transaction-level advisory lock (held until
        /// commit), so saves that change counts queue in one line and never lock count rows in different orders (no
        /// deadlock between them, whatever tags or content types they touch); saves that change no count never wait.
        /// Rows are added with ON CONFLICT, so the first article with a new tag makes its row.
        /// </remarks>
        private static string Counting(string table, string tags)
        {
            string Changes(string changed) => $"""
                WITH changed(tags, d) AS ({changed}),
                per_tag AS (
                    SELECT t.tag, sum(c.d) AS d
                    FROM changed c CROSS JOIN LATERAL (SELECT DISTINCT unnest(c.tags) AS tag) t
                    GROUP BY t.tag HAVING sum(c.d) <> 0),
                total AS (SELECT coalesce(sum(d), 0) AS d FROM changed),
                change AS (
                    SELECT '' AS tag, d FROM total WHERE d <> 0 OR EXISTS (SELECT FROM per_tag)
                    UNION ALL SELECT tag, d FROM per_tag)
                INSERT INTO published_counts AS p (content_type, tag, count)
                SELECT '{table}', tag, d FROM change
                WHERE pg_advisory_xact_lock({AdvisoryLock}) IS NOT NULL
                ORDER BY tag COLLATE "C"
                ON CONFLICT (content_type, tag) DO UPDATE SET count = p.count + excluded.count;
                """;
            // The rule of Domain/Visibility.cs: published is status = 'Published'.
            var added = $"SELECT {tags}, 1 FROM new_rows WHERE status = 'Published'";
            var removed = $"SELECT {tags}, -1 FROM old_rows WHERE status = 'Published'";
            return $"""
                -- Counts of published {table} (published_counts): the rule of published is Domain/Visibility.cs
                -- (Visibility.Public*: status = 'Published'); Tests/Delivery/PublishedCountTests compares the two.
                CREATE FUNCTION count_published_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
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

                CREATE TRIGGER {table}_counted_on_insert AFTER INSERT ON {table}
                    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION count_published_{table}();
                CREATE TRIGGER {table}_counted_on_update AFTER UPDATE ON {table}
                    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION count_published_{table}();
                CREATE TRIGGER {table}_counted_on_delete AFTER DELETE ON {table}
                    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION count_published_{table}();
                """;
        }

        /// <summary>The key of the advisory lock that puts saves changing counts in one line.</summary>
        private const long AdvisoryLock = 7_013_200_613;

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in new[] { "articles", "pledges" })
                migrationBuilder.Sql($"""
                    DROP TRIGGER {table}_counted_on_insert ON {table};
                    DROP TRIGGER {table}_counted_on_update ON {table};
                    DROP TRIGGER {table}_counted_on_delete ON {table};
                    DROP FUNCTION count_published_{table}();
                    """);
            migrationBuilder.DropTable(
                name: "published_counts");
        }
    }
}
