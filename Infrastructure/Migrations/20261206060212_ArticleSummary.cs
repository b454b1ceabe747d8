using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ContentApi.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class ArticleSummary : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "summary",
                table: "articles",
                type: "character varying(300)",
                maxLength: 300,
                nullable: true);

            // The preview face shows a pending version's summary (new column at the end of the view).
            migrationBuilder.Sql(ArticlePreviewsWithSummary);
        }

        internal const string ArticlePreviewsWithSummary = """
                CREATE OR REPLACE VIEW article_previews AS
                SELECT a.id,
                    CASE WHEN a.pending_changes IS NULL THEN a.slug ELSE coalesce(a.pending_changes->>'Slug', a.slug) END AS slug,
                    CASE WHEN a.pending_changes IS NULL THEN a.title ELSE a.pending_changes->>'Title' END AS title,
                    CASE WHEN a.pending_changes IS NULL THEN a.lead ELSE a.pending_changes->>'Lead' END AS lead,
                    CASE WHEN a.pending_changes IS NULL THEN a.tags
                        ELSE ARRAY(SELECT jsonb_array_elements_text(a.pending_changes->'Tags')) END AS tags,
                    a.status, a.published_at, a.updated_at, a.created_at,
                    CASE WHEN a.pending_changes IS NULL THEN a.hero_photo_id ELSE (a.pending_changes->>'HeroPhotoId')::uuid END AS hero_photo_id,
                    CASE WHEN a.pending_changes IS NULL THEN a.pledge_id ELSE (a.pending_changes->>'PledgeId')::uuid END AS pledge_id,
                    a.photo_ids,
                    CASE WHEN a.pending_changes IS NULL THEN a.body ELSE a.pending_changes->'Body' END AS body,
                    a.pending_changes, a.version,
                    CASE WHEN a.pending_changes IS NULL THEN a.summary ELSE a.pending_changes->>'Summary' END AS summary
                FROM articles a;
                """;

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP VIEW pledge_previews; DROP VIEW article_contact_previews; DROP VIEW article_previews;");
            migrationBuilder.Sql(OnePreviewFace.PreviewViews);
            migrationBuilder.DropColumn(
                name: "summary",
                table: "articles");
        }
    }
}
