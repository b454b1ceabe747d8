using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ContentApi.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class OnePreviewFace : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "pending_changes",
                table: "pledges",
                type: "jsonb",
                nullable: true);

            // Pending article versions in the shape of the live columns (property names as in C#, block types by name),
            // so the preview views can use their parts as they are. Earlier versions were written in camelCase with
            // block types as numbers.
            migrationBuilder.Sql("""
                UPDATE articles SET pending_changes = jsonb_build_object(
                    'Title', pending_changes->'title', 'Slug', pending_changes->'slug', 'Lead', pending_changes->'lead',
                    'Tags', coalesce(pending_changes->'tags', '[]'::jsonb), 'HeroPhotoId', pending_changes->'heroPhotoId',
                    'PledgeId', pending_changes->'pledgeId', 'ContactIds', coalesce(pending_changes->'contactIds', '[]'::jsonb),
                    'Body', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                            'Type', CASE WHEN jsonb_typeof(b->'type') = 'number'
                                THEN to_jsonb((ARRAY['Paragraph','Heading','Quote','List','Link','Image'])[(b->>'type')::int + 1])
                                ELSE b->'type' END,
                            'Text', b->'text', 'Level', b->'level', 'Attribution', b->'attribution', 'Items', b->'items',
                            'Ordered', b->'ordered', 'Url', b->'url', 'PhotoId', b->'photoId', 'Caption', b->'caption') ORDER BY n), '[]'::jsonb)
                        FROM jsonb_array_elements(coalesce(pending_changes->'body', '[]'::jsonb)) WITH ORDINALITY AS e(b, n)))
                WHERE pending_changes IS NOT NULL AND pending_changes ? 'title';
                """);

            // Commitments get stable ids.
            migrationBuilder.Sql("""
                UPDATE pledges SET priority_areas = (
                    SELECT coalesce(jsonb_agg(jsonb_set(area, '{Commitments}', (
                            SELECT coalesce(jsonb_agg(c || jsonb_build_object('Id', gen_random_uuid()) ORDER BY m), '[]'::jsonb)
                            FROM jsonb_array_elements(coalesce(area->'Commitments', '[]'::jsonb)) WITH ORDINALITY AS x(c, m))) ORDER BY n), '[]'::jsonb)
                    FROM jsonb_array_elements(priority_areas) WITH ORDINALITY AS e(area, n));
                """);

            // The preview face (PreviewDbContext): each article and pledge as an editor sees it, the pending version in
            // the live columns, so $filter, $orderby and $expand act on what is shown.
            migrationBuilder.Sql(PreviewViews);
        }

        internal const string PreviewViews = """
            CREATE VIEW article_previews AS
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
                a.pending_changes, a.version
            FROM articles a;

            CREATE VIEW article_contact_previews AS
            SELECT ac.article_id, ac.contact_id
            FROM article_contacts ac JOIN articles a ON a.id = ac.article_id
            WHERE a.pending_changes IS NULL
            UNION ALL
            SELECT a.id, c.value::uuid
            FROM articles a CROSS JOIN LATERAL jsonb_array_elements_text(a.pending_changes->'ContactIds') AS c(value)
            WHERE a.pending_changes IS NOT NULL;

            CREATE VIEW pledge_previews AS
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
                p.version, p.pending_changes
            FROM pledges p;
            """;

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP VIEW pledge_previews; DROP VIEW article_contact_previews; DROP VIEW article_previews;");
            migrationBuilder.DropColumn(
                name: "pending_changes",
                table: "pledges");
        }
    }
}
