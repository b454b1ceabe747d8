using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ContentApi.Infrastructure.Migrations
{
    /// <summary>
    /// LIX per article (Domain/Readability.cs): the live content's in <c>articles.lix</c>, a pending version's beside it
    /// in its JSON (<c>pending_changes->'Lix'</c>), both shown by the preview face as <c>lix</c>. The rule is C#'s
    /// only: existing rows are listed in <c>lix_backfill</c> here and computed by <see cref="ReadabilityBackfill"/>
    /// right after the migrations (the <c>migrate</c> command, or the start in Development), which drops the list when
    /// done.
    /// </summary>
    public partial class Readability : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<double>(
                name: "lix",
                table: "articles",
                type: "double precision",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_articles_lix",
                table: "articles",
                column: "lix");

            // The preview face shows a pending version's LIX (new column at the end of the view).
            migrationBuilder.Sql(ArticlePreviewsWithLix);
            migrationBuilder.Sql(ReadabilityBackfill.ListSql);
        }

        internal static readonly string ArticlePreviewsWithLix = WithLix(PendingChangesMarker.ArticlePreviewsWithMarker);

        // The view as PendingChangesMarker made it, one column more; whatever line endings the checkout has.
        private static string WithLix(string view)
        {
            var marker = System.Text.RegularExpressions.Regex.Match(view, @"AS has_pending_changes\r?\n");
            if (!marker.Success)
                throw new InvalidOperationException("The article preview view of migration PendingChangesMarker has changed: write its LIX column here by hand.");
            return view.Insert(marker.Index + "AS has_pending_changes".Length,
                ",\n    CASE WHEN a.pending_changes IS NULL THEN a.lix ELSE (a.pending_changes->>'Lix')::double precision END AS lix");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // A view cannot lose a column in place: made again as migration PendingChangesMarker left it (no other view
            // reads it).
            migrationBuilder.Sql($"DROP TABLE IF EXISTS {ReadabilityBackfill.Table}; DROP VIEW article_previews;");
            migrationBuilder.Sql(PendingChangesMarker.ArticlePreviewsWithMarker);
            migrationBuilder.DropIndex(
                name: "ix_articles_lix",
                table: "articles");

            migrationBuilder.DropColumn(
                name: "lix",
                table: "articles");
        }
    }
}
