using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ContentApi.Infrastructure.Migrations
{
    /// <summary>
    /// Swedish full-text search (issue 16): two stored generated tsvectors per article and pledge, one with the
    /// <c>content_swedish</c> configuration (Swedish stemming) and one with <c>content_swedish_unaccent</c> (the same
    /// after unaccent, so "vard" finds "vård", ranked below exact matches); title weighted A, lead, summary and tags B,
    /// body C; for pledges the title A, summary and priority areas B, their descriptions, commitments, ongoing efforts
    /// and basis C. GIN indexes on both, a trigram index on titles for "did you mean". The preview views show the
    /// vectors of the version an editor sees (computed from the pending version when there is one). The model knows the
    /// columns only through <see cref="Search.SearchFunctions"/>: no entity reads them, so no ordinary read carries them.
    /// </summary>
    [DbContext(typeof(ContentDbContext))]
    [Migration("20261206170000_Search")]
    public partial class Search : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(Functions);
            migrationBuilder.Sql("""
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
                CREATE INDEX ix_articles_title_trgm ON articles USING gin (title gin_trgm_ops);
                """);
            migrationBuilder.Sql(PreviewViews);
        }

        /// <summary>
        /// The text search configurations and functions. <c>content_swedish</c> is a copy of <c>swedish</c>: a
        /// server with the Swedish hunspell files in its tsearch_data (scripts/postgres.sh installs them) may put a
        /// compound-splitting dictionary in front of the stemmer without another migration (README, Search).
        /// </summary>
        internal const string Functions = """
            CREATE EXTENSION IF NOT EXISTS unaccent;
            CREATE EXTENSION IF NOT EXISTS pg_trgm;
            CREATE TEXT SEARCH CONFIGURATION content_swedish (COPY = swedish);
            CREATE TEXT SEARCH CONFIGURATION content_swedish_unaccent (COPY = swedish);
            ALTER TEXT SEARCH CONFIGURATION content_swedish_unaccent
                ALTER MAPPING FOR word, hword, hword_part WITH unaccent, swedish_stem;

            -- The words of an article body: paragraphs, headings, quotes and their attribution, list items, link texts
            -- and image captions; not block types, addresses or ids.
            CREATE FUNCTION search_block_text(body jsonb) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN (SELECT coalesce(string_agg(concat_ws(' ', b->>'Text', b->>'Caption', b->>'Attribution',
                    CASE WHEN jsonb_typeof(b->'Items') = 'array'
                        THEN (SELECT string_agg(i, ' ') FROM jsonb_array_elements_text(b->'Items') i) END), ' '), '')
                FROM jsonb_array_elements(CASE WHEN jsonb_typeof(body) = 'array' THEN body ELSE '[]'::jsonb END) b);

            -- Fields of a JSON array of objects, as one text.
            CREATE FUNCTION search_json_fields(items jsonb, fields text[]) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN (SELECT coalesce(string_agg(item->>f, ' '), '')
                FROM jsonb_array_elements(CASE WHEN jsonb_typeof(items) = 'array' THEN items ELSE '[]'::jsonb END) item,
                    unnest(fields) f);

            -- Immutable: array_to_string is only stable in general, but text[] prints the same whatever the settings.
            CREATE FUNCTION search_words(words text[]) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN coalesce(array_to_string(words, ' '), '');

            CREATE FUNCTION search_article_vector(config regconfig, title text, lead text, summary text, tags text[], body jsonb)
            RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN setweight(to_tsvector(config, coalesce(title, '')), 'A')
                    || setweight(to_tsvector(config, concat_ws(' ', lead, summary, search_words(tags))), 'B')
                    || setweight(to_tsvector(config, search_block_text(body)), 'C');

            CREATE FUNCTION search_pledge_vector(config regconfig, title text, summary text, basis text[], priority_areas jsonb, ongoing_efforts jsonb)
            RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN setweight(to_tsvector(config, coalesce(title, '')), 'A')
                    || setweight(to_tsvector(config, concat_ws(' ', summary, search_json_fields(priority_areas, '{Title}'))), 'B')
                    || setweight(to_tsvector(config, concat_ws(' ',
                        search_json_fields(priority_areas, '{Description}'),
                        (SELECT string_agg(search_json_fields(area->'Commitments', '{Text,ResponsibleParty}'), ' ')
                            FROM jsonb_array_elements(CASE WHEN jsonb_typeof(priority_areas) = 'array' THEN priority_areas ELSE '[]'::jsonb END) area),
                        search_json_fields(ongoing_efforts, '{Title,Description}'),
                        search_words(basis))), 'C');

            -- The text a snippet is cut from (the title is shown beside it).
            CREATE FUNCTION search_article_text(lead text, body jsonb) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN concat_ws(' ', lead, search_block_text(body));

            CREATE FUNCTION search_pledge_text(summary text, priority_areas jsonb, ongoing_efforts jsonb) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN concat_ws(' ', summary, search_json_fields(priority_areas, '{Title,Description}'),
                    (SELECT string_agg(search_json_fields(area->'Commitments', '{Text}'), ' ')
                        FROM jsonb_array_elements(CASE WHEN jsonb_typeof(priority_areas) = 'array' THEN priority_areas ELSE '[]'::jsonb END) area),
                    search_json_fields(ongoing_efforts, '{Title,Description}'));

            -- What a search text asks: websearch_to_tsquery's syntax ("a phrase", -word, or), and when the text ends in a
            -- word being typed, that word as a prefix too. The word is quoted, so it cannot inject tsquery syntax.
            CREATE FUNCTION search_query(config regconfig, query text, rest text, prefix text) RETURNS tsquery
            LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN CASE WHEN prefix IS NULL THEN websearch_to_tsquery(config, query)
                    ELSE websearch_to_tsquery(config, query)
                        || (websearch_to_tsquery(config, coalesce(rest, '')) && to_tsquery(config, quote_literal(prefix) || ':*')) END;

            -- A snippet with the hits between U+0002 and U+0003: the API escapes the text and makes them <mark>.
            CREATE FUNCTION search_headline(config regconfig, document text, query tsquery) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN ts_headline(config, translate(document, chr(2) || chr(3), '  '), query,
                    'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "');

            -- "Did you mean": whether a word is like a word of a title (pg_trgm's <%, which the trigram index serves;
            -- an SQL function of one expression is inlined, index and all). SQL-standard bodies (RETURN) are bound when
            -- created, so a restore (pg_restore runs with an empty search_path) computes the vectors as the migration did., and which word of the title is most like it.
            CREATE FUNCTION search_word_like(word text, title text) RETURNS boolean
            LANGUAGE sql STABLE PARALLEL SAFE RETURN word <% title;

            CREATE FUNCTION search_similar_word(word text, title text) RETURNS text
            LANGUAGE sql STABLE PARALLEL SAFE RETURN (SELECT w FROM regexp_split_to_table(lower(title), '[^[:alnum:]]+') w
                WHERE length(w) > 2 ORDER BY similarity(w, lower(word)) DESC, w LIMIT 1);
            """;

        /// <summary>The preview views as migrations PendingChangesMarker and Readability left them, with the vectors of what the editor sees.</summary>
        internal const string PreviewViews = """
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
                a.pending_changes IS NOT NULL AS has_pending_changes,
                CASE WHEN a.pending_changes IS NULL THEN a.lix ELSE (a.pending_changes->>'Lix')::double precision END AS lix,
                CASE WHEN a.pending_changes IS NULL THEN a.search_vector
                    ELSE search_article_vector('content_swedish', a.pending_changes->>'Title', a.pending_changes->>'Lead',
                        a.pending_changes->>'Summary', ARRAY(SELECT jsonb_array_elements_text(a.pending_changes->'Tags')),
                        a.pending_changes->'Body') END AS search_vector,
                CASE WHEN a.pending_changes IS NULL THEN a.search_vector_unaccent
                    ELSE search_article_vector('content_swedish_unaccent', a.pending_changes->>'Title', a.pending_changes->>'Lead',
                        a.pending_changes->>'Summary', ARRAY(SELECT jsonb_array_elements_text(a.pending_changes->'Tags')),
                        a.pending_changes->'Body') END AS search_vector_unaccent
            FROM articles a;

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
                p.pending_changes IS NOT NULL AS has_pending_changes,
                CASE WHEN p.pending_changes IS NULL THEN p.search_vector
                    ELSE search_pledge_vector('content_swedish', p.pending_changes->>'Title', p.pending_changes->>'Summary',
                        ARRAY(SELECT jsonb_array_elements_text(p.pending_changes->'Basis')),
                        p.pending_changes->'PriorityAreas', p.pending_changes->'OngoingEfforts') END AS search_vector,
                CASE WHEN p.pending_changes IS NULL THEN p.search_vector_unaccent
                    ELSE search_pledge_vector('content_swedish_unaccent', p.pending_changes->>'Title', p.pending_changes->>'Summary',
                        ARRAY(SELECT jsonb_array_elements_text(p.pending_changes->'Basis')),
                        p.pending_changes->'PriorityAreas', p.pending_changes->'OngoingEfforts') END AS search_vector_unaccent
            FROM pledges p;
            """;

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Views cannot lose columns in place: made again as migrations PendingChangesMarker and Readability left them.
            migrationBuilder.Sql("DROP VIEW pledge_previews; DROP VIEW article_previews;");
            migrationBuilder.Sql("""
                ALTER TABLE articles DROP COLUMN search_vector, DROP COLUMN search_vector_unaccent;
                ALTER TABLE pledges DROP COLUMN search_vector, DROP COLUMN search_vector_unaccent;
                DROP INDEX IF EXISTS ix_articles_title_trgm;
                DROP FUNCTION search_similar_word, search_word_like, search_headline, search_query, search_pledge_text,
                    search_article_text, search_pledge_vector, search_article_vector, search_words, search_json_fields, search_block_text;
                DROP TEXT SEARCH CONFIGURATION content_swedish_unaccent;
                DROP TEXT SEARCH CONFIGURATION content_swedish;
                """);
            migrationBuilder.Sql(Readability.ArticlePreviewsWithLix);
            migrationBuilder.Sql(PendingChangesMarker.PledgePreviews);
        }
    }
}
