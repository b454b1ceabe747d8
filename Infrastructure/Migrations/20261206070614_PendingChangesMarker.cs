using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ContentApi.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class PendingChangesMarker : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "has_pending_changes",
                table: "pledges",
                type: "boolean",
                nullable: true,
                computedColumnSql: "NULL::boolean",
                stored: true);

            migrationBuilder.AddColumn<bool>(
                name: "has_pending_changes",
                table: "articles",
                type: "boolean",
                nullable: true,
                computedColumnSql: "NULL::boolean",
                stored: true);

            // The preview face says which items show a pending version (new columns at the end of the views).
            migrationBuilder.Sql(ArticlePreviewsWithMarker);
            migrationBuilder.Sql(PledgePreviews);
        }

        internal const string ArticlePreviewsWithMarker = """
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
                    CASE WHEN a.pending_changes IS NULL THEN a.summary ELSE a.pending_changes->>'Summary' END AS summary,
                    a.pending_changes IS NOT NULL AS has_pending_changes
                FROM articles a;
                """;

        internal const string PledgePreviews = """
                CREATE OR REPLACE VIEW pledge_previews AS
            SELECT p.id,
                CASE WHEN p.pending_changes IS NULL THEN p.year ELSE (p.pending_changes->>'Year')::int END AS year,
                CASE WHEN p.pending_changes IS NULL THEN p.title ELSE p.pending_changes->>'Title' END AS title,
                CASE WHEN p.pending_changes IS NULL THEN p.summary ELSE p.pending_changes->>'Summary' END AS summary,
                CASE WHEN p.pending_changes IS NULL THEN p.parties
                    ELSE ARRAY(SELECT jsonb_array_elements_text(p.pending_changes->'Parties')) END AS parties,
                CASE WHEN p.pending_changes IS NULL THEN p.signed_on ELSE (p.pending_changes->>'SignedOn')::date END AS signed_on,
                CASE WHEN p.pending_changes IS NULL THEN p.valid_from ELSE (p.pending_changes->>'ValidFrom')::date END AS valid_from,
                CASE WHEN p.pending_changes IS NULL THEN p.valid_to ELSE (p.pending_changes->>'ValidTo')::date END AS valid_to,
                CASE WHEN p.pending_changes IS NULL THEN p.basis
                    ELSE ARRAY(SELECT jsonb_array_elements_text(p.pending_changes->'Basis')) END AS basis,
                p.status, p.published_at, p.updated_at, p.created_at,
                CASE WHEN p.pending_changes IS NULL THEN p.photo_id ELSE (p.pending_changes->>'PhotoId')::uuid END AS photo_id,
                CASE WHEN p.pending_changes IS NULL THEN p.contact_id ELSE (p.pending_changes->>'ContactId')::uuid END AS contact_id,
                CASE WHEN p.pending_changes IS NULL THEN p.ongoing_efforts ELSE p.pending_changes->'OngoingEfforts' END AS ongoing_efforts,
                CASE WHEN p.pending_changes IS NULL THEN p.priority_areas ELSE p.pending_changes->'PriorityAreas' END AS priority_areas,
                CASE WHEN p.pending_changes IS NULL THEN p.signatories ELSE p.pending_changes->'Signatories' END AS signatories,
                p.version, p.pending_changes,
                p.pending_changes IS NOT NULL AS has_pending_changes
            FROM pledges p;
            """;

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Views cannot lose columns in place: made again as migration ArticleSummary left them.
            migrationBuilder.Sql("DROP VIEW pledge_previews; DROP VIEW article_contact_previews; DROP VIEW article_previews;");
            migrationBuilder.Sql(OnePreviewFace.PreviewViews);
            migrationBuilder.Sql(ArticleSummary.ArticlePreviewsWithSummary);
            migrationBuilder.DropColumn(
                name: "has_pending_changes",
                table: "pledges");

            migrationBuilder.DropColumn(
                name: "has_pending_changes",
                table: "articles");
        }
    }
}
