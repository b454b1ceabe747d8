using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ContentApi.Infrastructure.Migrations
{
    /// <summary>
    /// The search vectors move from the articles and pledges tables into a narrow table of their own,
    /// <c>search_documents</c> (<see cref="Search.SearchDocument"/>), kept by triggers. As stored generated columns they
    /// made every article row about 1.4 kB wider (the table grew from 110 to 381 MB at 100,000 articles, more than
    /// PostgreSQL's default shared buffers): every read of an article by id got slower (the benchmark: 1,532 to 1,021
    /// req/s), and a search that walked the articles newest first read the wide rows. The table also holds the vectors of
    /// a pending version (<c>preview_vector</c>, <c>preview_vector_unaccent</c>), so editors search what they see through
    /// the search indexes too (the view <c>search_document_previews</c>), where the preview views used to compute them
    /// for every row.
    /// </summary>
    /// <remarks>
    /// Dropped columns keep their space until the rows are written again: an existing database gives it back with
    /// <c>VACUUM FULL articles, pledges</c> (README, Commands: <c>migrate</c>), which locks the tables while it runs.
    /// </remarks>
    public partial class SearchDocuments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                -- No save may change a row between the fill below and the triggers taking over (the columns dropped
                -- below need this lock anyway).
                LOCK TABLE articles, pledges IN ACCESS EXCLUSIVE MODE;
                CREATE TABLE search_documents (
                    id uuid PRIMARY KEY,
                    sort_at timestamptz NOT NULL,
                    vector tsvector NOT NULL,
                    vector_unaccent tsvector NOT NULL,
                    preview_vector tsvector,
                    preview_vector_unaccent tsvector);

                INSERT INTO search_documents (id, sort_at, vector, vector_unaccent, preview_vector, preview_vector_unaccent)
                SELECT a.id, coalesce(a.published_at, a.created_at), a.search_vector, a.search_vector_unaccent,
                    CASE WHEN a.pending_changes IS NOT NULL THEN p.search_vector END,
                    CASE WHEN a.pending_changes IS NOT NULL THEN p.search_vector_unaccent END
                FROM articles a JOIN article_previews p ON p.id = a.id;
                INSERT INTO search_documents (id, sort_at, vector, vector_unaccent, preview_vector, preview_vector_unaccent)
                SELECT l.id, coalesce(l.published_at, l.created_at), l.search_vector, l.search_vector_unaccent,
                    CASE WHEN l.pending_changes IS NOT NULL THEN p.search_vector END,
                    CASE WHEN l.pending_changes IS NOT NULL THEN p.search_vector_unaccent END
                FROM pledges l JOIN pledge_previews p ON p.id = l.id;

                DROP VIEW pledge_previews;
                DROP VIEW article_previews;
                ALTER TABLE articles DROP COLUMN search_vector, DROP COLUMN search_vector_unaccent;
                ALTER TABLE pledges DROP COLUMN search_vector, DROP COLUMN search_vector_unaccent;
                """);
            migrationBuilder.Sql(Readability.ArticlePreviewsWithLix);
            migrationBuilder.Sql(PendingChangesMarker.PledgePreviews);
            migrationBuilder.Sql(Table);
            migrationBuilder.Sql("ANALYZE search_documents;");
        }

        /// <summary>Indexes, triggers and the preview view (the fill above is the migration's own).</summary>
        internal const string Table = """
            CREATE INDEX ix_search_documents_sort_at_id ON search_documents (sort_at, id);
            CREATE INDEX ix_search_documents_vector ON search_documents USING gin (vector);
            CREATE INDEX ix_search_documents_vector_unaccent ON search_documents USING gin (vector_unaccent);
            CREATE INDEX ix_search_documents_preview_vector ON search_documents USING gin (preview_vector) WHERE preview_vector IS NOT NULL;
            CREATE INDEX ix_search_documents_preview_vector_unaccent ON search_documents USING gin (preview_vector_unaccent)
                WHERE preview_vector IS NOT NULL;

            -- What an editor searches: the pending version's vectors where there is one. Two branches, so that each can
            -- use its own indexes (a coalesce could use none).
            CREATE VIEW search_document_previews AS
            SELECT id, sort_at, vector, vector_unaccent FROM search_documents WHERE preview_vector IS NULL
            UNION ALL
            SELECT id, sort_at, preview_vector, preview_vector_unaccent FROM search_documents WHERE preview_vector IS NOT NULL;

            -- Kept on every insert, on an update that changes what is searched (not on a LIX backfill or a webhook
            -- position), and removed with the row.
            CREATE FUNCTION search_document_of_article() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    DELETE FROM search_documents WHERE id = OLD.id;
                    RETURN NULL;
                END IF;
                IF TG_OP = 'UPDATE' AND (NEW.title, NEW.lead, NEW.summary, NEW.tags, NEW.body, NEW.pending_changes, NEW.published_at)
                        IS NOT DISTINCT FROM (OLD.title, OLD.lead, OLD.summary, OLD.tags, OLD.body, OLD.pending_changes, OLD.published_at) THEN
                    RETURN NULL;
                END IF;
                INSERT INTO search_documents AS d (id, sort_at, vector, vector_unaccent, preview_vector, preview_vector_unaccent)
                VALUES (NEW.id, coalesce(NEW.published_at, NEW.created_at),
                    search_article_vector('content_swedish', NEW.title, NEW.lead, NEW.summary, NEW.tags, NEW.body),
                    search_article_vector('content_swedish_unaccent', NEW.title, NEW.lead, NEW.summary, NEW.tags, NEW.body),
                    CASE WHEN NEW.pending_changes IS NOT NULL THEN search_article_vector('content_swedish',
                        NEW.pending_changes->>'Title', NEW.pending_changes->>'Lead', NEW.pending_changes->>'Summary',
                        ARRAY(SELECT jsonb_array_elements_text(NEW.pending_changes->'Tags')), NEW.pending_changes->'Body') END,
                    CASE WHEN NEW.pending_changes IS NOT NULL THEN search_article_vector('content_swedish_unaccent',
                        NEW.pending_changes->>'Title', NEW.pending_changes->>'Lead', NEW.pending_changes->>'Summary',
                        ARRAY(SELECT jsonb_array_elements_text(NEW.pending_changes->'Tags')), NEW.pending_changes->'Body') END)
                ON CONFLICT (id) DO UPDATE SET sort_at = EXCLUDED.sort_at, vector = EXCLUDED.vector,
                    vector_unaccent = EXCLUDED.vector_unaccent, preview_vector = EXCLUDED.preview_vector,
                    preview_vector_unaccent = EXCLUDED.preview_vector_unaccent;
                RETURN NULL;
            END $$;

            CREATE FUNCTION search_document_of_pledge() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    DELETE FROM search_documents WHERE id = OLD.id;
                    RETURN NULL;
                END IF;
                IF TG_OP = 'UPDATE' AND (NEW.title, NEW.summary, NEW.basis, NEW.priority_areas, NEW.ongoing_efforts, NEW.pending_changes, NEW.published_at)
                        IS NOT DISTINCT FROM (OLD.title, OLD.summary, OLD.basis, OLD.priority_areas, OLD.ongoing_efforts, OLD.pending_changes, OLD.published_at) THEN
                    RETURN NULL;
                END IF;
                INSERT INTO search_documents AS d (id, sort_at, vector, vector_unaccent, preview_vector, preview_vector_unaccent)
                VALUES (NEW.id, coalesce(NEW.published_at, NEW.created_at),
                    search_pledge_vector('content_swedish', NEW.title, NEW.summary, NEW.basis, NEW.priority_areas, NEW.ongoing_efforts),
                    search_pledge_vector('content_swedish_unaccent', NEW.title, NEW.summary, NEW.basis, NEW.priority_areas, NEW.ongoing_efforts),
                    CASE WHEN NEW.pending_changes IS NOT NULL THEN search_pledge_vector('content_swedish',
                        NEW.pending_changes->>'Title', NEW.pending_changes->>'Summary',
                        ARRAY(SELECT jsonb_array_elements_text(NEW.pending_changes->'Basis')),
                        NEW.pending_changes->'PriorityAreas', NEW.pending_changes->'OngoingEfforts') END,
                    CASE WHEN NEW.pending_changes IS NOT NULL THEN search_pledge_vector('content_swedish_unaccent',
                        NEW.pending_changes->>'Title', NEW.pending_changes->>'Summary',
                        ARRAY(SELECT jsonb_array_elements_text(NEW.pending_changes->'Basis')),
                        NEW.pending_changes->'PriorityAreas', NEW.pending_changes->'OngoingEfforts') END)
                ON CONFLICT (id) DO UPDATE SET sort_at = EXCLUDED.sort_at, vector = EXCLUDED.vector,
                    vector_unaccent = EXCLUDED.vector_unaccent, preview_vector = EXCLUDED.preview_vector,
                    preview_vector_unaccent = EXCLUDED.preview_vector_unaccent;
                RETURN NULL;
            END $$;

            CREATE TRIGGER articles_searched AFTER INSERT OR UPDATE OR DELETE ON articles
                FOR EACH ROW EXECUTE FUNCTION search_document_of_article();
            CREATE TRIGGER pledges_searched AFTER INSERT OR UPDATE OR DELETE ON pledges
                FOR EACH ROW EXECUTE FUNCTION search_document_of_pledge();

            """;

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER pledges_searched ON pledges;
                DROP TRIGGER articles_searched ON articles;
                DROP FUNCTION search_document_of_pledge, search_document_of_article;
                DROP VIEW search_document_previews;
                DROP TABLE search_documents;
                DROP VIEW pledge_previews;
                DROP VIEW article_previews;
                ALTER TABLE articles
                    ADD COLUMN search_vector tsvector GENERATED ALWAYS AS
                        (search_article_vector('content_swedish', title, lead, summary, tags, body)) STORED,
                    ADD COLUMN search_vector_unaccent tsvector GENERATED ALWAYS AS
                        (search_article_vector('content_swedish_unaccent', title, lead, summary, tags, body)) STORED;
                ALTER TABLE pledges
                    ADD COLUMN search_vector tsvector GENERATED ALWAYS AS
                        (search_pledge_vector('content_swedish', title, summary, basis, priority_areas, ongoing_efforts)) STORED,
                    ADD COLUMN search_vector_unaccent tsvector GENERATED ALWAYS AS
                        (search_pledge_vector('content_swedish_unaccent', title, summary, basis, priority_areas, ongoing_efforts)) STORED;
                CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector);
                CREATE INDEX ix_articles_search_vector_unaccent ON articles USING gin (search_vector_unaccent);
                CREATE INDEX ix_pledges_search_vector ON pledges USING gin (search_vector);
                CREATE INDEX ix_pledges_search_vector_unaccent ON pledges USING gin (search_vector_unaccent);
                """);
            migrationBuilder.Sql(Search.PreviewViews);
        }
    }
}
