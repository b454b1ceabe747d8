using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace ContentApi.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class ChangeLog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "change_log",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    position = table.Column<long>(type: "bigint", nullable: true),
                    kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    content_id = table.Column<Guid>(type: "uuid", nullable: false),
                    change = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    changed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    version = table.Column<int>(type: "integer", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_change_log", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_change_log_changed_at",
                table: "change_log",
                column: "changed_at");

            migrationBuilder.CreateIndex(
                name: "ix_change_log_position",
                table: "change_log",
                column: "position",
                unique: true,
                filter: "position IS NOT NULL");

            // What is written, and why so (Domain/ChangeLogEntry): row triggers on the content tables note which items
            // anonymous readers may see change, once per transaction; at commit a deferred trigger decides whether
            // each is public now (upserted) or not (removed) and gives it the next position while holding the one row
            // of change_log_state, so positions follow commit order: a later position cannot be seen before an earlier
            // one (a bigserial taken at insert could: transactions commit in another order than they insert). Only a
            // commit that fails after its positions were taken leaves a gap. The public rule mirrors Domain/Visibility and ContentDbContext's query filters; the sync
            // replay test compares what the log says with what the reader shows.
            migrationBuilder.Sql("""
                ALTER TABLE change_log ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id();
                CREATE UNIQUE INDEX ix_change_log_pending ON change_log (txid, kind, content_id) WHERE position IS NULL;

                -- Its one row is the commit lock, and says up to where the log was pruned.
                CREATE TABLE change_log_state (
                    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                    pruned_through bigint NOT NULL);
                INSERT INTO change_log_state VALUES (true, 0);
                CREATE SEQUENCE change_log_position;

                CREATE FUNCTION content_is_public(kind text, content_id uuid) RETURNS boolean LANGUAGE sql STABLE AS $$
                    SELECT CASE kind
                        WHEN 'Article' THEN EXISTS (SELECT FROM articles a WHERE a.id = content_id AND a.status = 'Published')
                        WHEN 'Pledge' THEN EXISTS (SELECT FROM pledges p WHERE p.id = content_id AND p.status = 'Published')
                        WHEN 'Photo' THEN
                            EXISTS (SELECT FROM articles a WHERE a.photo_ids @> ARRAY[content_id] AND a.status = 'Published')
                            OR EXISTS (SELECT FROM pledges p WHERE p.photo_id = content_id AND p.status = 'Published')
                        WHEN 'Contact' THEN
                            EXISTS (SELECT FROM article_contacts ac JOIN articles a ON a.id = ac.article_id
                                    WHERE ac.contact_id = content_id AND a.status = 'Published')
                            OR EXISTS (SELECT FROM pledges p WHERE p.contact_id = content_id AND p.status = 'Published')
                        ELSE false
                    END $$;

                CREATE FUNCTION change_log_note(kind text, content_id uuid) RETURNS void LANGUAGE sql AS $$
                    INSERT INTO change_log (kind, content_id) VALUES (kind, content_id)
                    ON CONFLICT (txid, kind, content_id) WHERE position IS NULL DO NOTHING $$;

                -- Ids in one array and not the other.
                CREATE FUNCTION change_log_differing(a uuid[], b uuid[]) RETURNS SETOF uuid LANGUAGE sql IMMUTABLE AS $$
                    (SELECT unnest(a) EXCEPT SELECT unnest(b)) UNION (SELECT unnest(b) EXCEPT SELECT unnest(a)) $$;

                -- Articles and pledges: a change of one that readers see before or after (not of its pending version
                -- only), and the photos and contacts it starts or stops showing.
                CREATE FUNCTION change_log_article() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    was boolean := TG_OP <> 'INSERT' AND OLD.status = 'Published';
                    now_public boolean := TG_OP <> 'DELETE' AND NEW.status = 'Published';
                    both_ boolean := was AND now_public;
                    before_ articles;
                    after_ articles;
                    photo uuid;
                BEGIN
                    IF NOT was AND NOT now_public THEN RETURN NULL; END IF;
                    IF both_ THEN
                        before_ := OLD; after_ := NEW;
                        before_.pending_changes := NULL; after_.pending_changes := NULL;
                        before_.version := 0; after_.version := 0;
                        before_.has_pending_changes := NULL; after_.has_pending_changes := NULL;
                        IF before_ IS NOT DISTINCT FROM after_ THEN RETURN NULL; END IF;
                    END IF;
                    PERFORM change_log_note('Article', CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
                    -- A published pledge lists its articles.
                    PERFORM change_log_note('Pledge', p.id) FROM pledges p
                    WHERE p.id IN (OLD.pledge_id, NEW.pledge_id) AND p.status = 'Published';
                    IF NOT both_ OR OLD.photo_ids IS DISTINCT FROM NEW.photo_ids THEN
                        FOR photo IN SELECT * FROM change_log_differing(
                                CASE WHEN NOT was THEN '{}' ELSE OLD.photo_ids END,
                                CASE WHEN NOT now_public THEN '{}' ELSE NEW.photo_ids END) LOOP
                            PERFORM change_log_note('Photo', photo);
                        END LOOP;
                    END IF;
                    -- Its contacts when it comes into or leaves view (links changed while it stays are noted by
                    -- change_log_article_contact; a deleted article's links are noted before it goes).
                    IF TG_OP = 'UPDATE' AND NOT both_ THEN
                        PERFORM change_log_note('Contact', ac.contact_id) FROM article_contacts ac WHERE ac.article_id = NEW.id;
                    END IF;
                    RETURN NULL;
                END $$;

                CREATE FUNCTION change_log_article_deleting() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF OLD.status = 'Published' THEN
                        PERFORM change_log_note('Contact', ac.contact_id) FROM article_contacts ac WHERE ac.article_id = OLD.id;
                    END IF;
                    RETURN OLD;
                END $$;

                CREATE FUNCTION change_log_article_contact() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    link article_contacts := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
                BEGIN
                    -- The article shows its contacts: it changes too.
                    IF EXISTS (SELECT FROM articles a WHERE a.id = link.article_id AND a.status = 'Published') THEN
                        PERFORM change_log_note('Article', link.article_id);
                        PERFORM change_log_note('Contact', link.contact_id);
                    END IF;
                    RETURN NULL;
                END $$;

                CREATE FUNCTION change_log_pledge() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    was boolean := TG_OP <> 'INSERT' AND OLD.status = 'Published';
                    now_public boolean := TG_OP <> 'DELETE' AND NEW.status = 'Published';
                    before_ pledges;
                    after_ pledges;
                    item uuid;
                BEGIN
                    IF NOT was AND NOT now_public THEN RETURN NULL; END IF;
                    IF was AND now_public THEN
                        before_ := OLD; after_ := NEW;
                        before_.pending_changes := NULL; after_.pending_changes := NULL;
                        before_.version := 0; after_.version := 0;
                        before_.has_pending_changes := NULL; after_.has_pending_changes := NULL;
                        IF before_ IS NOT DISTINCT FROM after_ THEN RETURN NULL; END IF;
                    END IF;
                    PERFORM change_log_note('Pledge', CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
                    -- A published article shows the pledge it is about.
                    PERFORM change_log_note('Article', a.id) FROM articles a
                    WHERE a.pledge_id = CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END AND a.status = 'Published';
                    FOR item IN SELECT * FROM change_log_differing(
                            CASE WHEN NOT was THEN '{}' ELSE array_remove(ARRAY[OLD.photo_id], NULL) END,
                            CASE WHEN NOT now_public THEN '{}' ELSE array_remove(ARRAY[NEW.photo_id], NULL) END) LOOP
                        PERFORM change_log_note('Photo', item);
                    END LOOP;
                    FOR item IN SELECT * FROM change_log_differing(
                            CASE WHEN NOT was THEN '{}' ELSE array_remove(ARRAY[OLD.contact_id], NULL) END,
                            CASE WHEN NOT now_public THEN '{}' ELSE array_remove(ARRAY[NEW.contact_id], NULL) END) LOOP
                        PERFORM change_log_note('Contact', item);
                    END LOOP;
                    RETURN NULL;
                END $$;

                -- A photo or contact changed while published content shows it, and so did the published articles and
                -- pledges that show it (their answers carry its alt text, caption, name…). A new one is shown by nothing
                -- yet; one still shown cannot be deleted, and an erased contact is noted when its links go.
                CREATE FUNCTION change_log_shown() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    kind text := CASE TG_TABLE_NAME WHEN 'photos' THEN 'Photo' ELSE 'Contact' END;
                BEGIN
                    IF OLD IS NOT DISTINCT FROM NEW OR NOT content_is_public(kind, NEW.id) THEN RETURN NULL; END IF;
                    PERFORM change_log_note(kind, NEW.id);
                    IF kind = 'Photo' THEN
                        PERFORM change_log_note('Article', a.id) FROM articles a
                        WHERE a.photo_ids @> ARRAY[NEW.id] AND a.status = 'Published';
                        PERFORM change_log_note('Pledge', p.id) FROM pledges p WHERE p.photo_id = NEW.id AND p.status = 'Published';
                    ELSE
                        PERFORM change_log_note('Article', a.id) FROM article_contacts ac JOIN articles a ON a.id = ac.article_id
                        WHERE ac.contact_id = NEW.id AND a.status = 'Published';
                        PERFORM change_log_note('Pledge', p.id) FROM pledges p WHERE p.contact_id = NEW.id AND p.status = 'Published';
                    END IF;
                    RETURN NULL;
                END $$;

                -- At commit, one transaction at a time (the lock on change_log_state is held until the commit is
                -- visible): what became of the item, and the next position. Then a notification, delivered to
                -- listeners after the commit.
                CREATE FUNCTION change_log_commit() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    next_position bigint;
                    public boolean := content_is_public(NEW.kind, NEW.content_id);
                    item_version integer;
                BEGIN
                    -- Held until the commit is visible; taken again by the transaction's next entry at no cost.
                    PERFORM FROM change_log_state FOR UPDATE;
                    next_position := nextval('change_log_position');
                    item_version := CASE NEW.kind
                        WHEN 'Article' THEN (SELECT version FROM articles WHERE id = NEW.content_id)
                        WHEN 'Pledge' THEN (SELECT version FROM pledges WHERE id = NEW.content_id)
                        WHEN 'Photo' THEN (SELECT version FROM photos WHERE id = NEW.content_id)
                        WHEN 'Contact' THEN (SELECT version FROM contacts WHERE id = NEW.content_id)
                    END;
                    UPDATE change_log
                    SET position = next_position,
                        change = CASE WHEN public THEN 'Upserted' ELSE 'Removed' END,
                        changed_at = clock_timestamp(),
                        version = item_version
                    WHERE id = NEW.id;
                    PERFORM pg_notify('content_changes', json_build_object(
                        'position', next_position, 'kind', NEW.kind, 'id', NEW.content_id,
                        'change', CASE WHEN public THEN 'Upserted' ELSE 'Removed' END)::text);
                    RETURN NULL;
                END $$;

                CREATE CONSTRAINT TRIGGER change_log_on_commit AFTER INSERT ON change_log
                    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION change_log_commit();
                CREATE TRIGGER articles_logged AFTER INSERT OR UPDATE OR DELETE ON articles
                    FOR EACH ROW EXECUTE FUNCTION change_log_article();
                CREATE TRIGGER articles_logged_before_delete BEFORE DELETE ON articles
                    FOR EACH ROW EXECUTE FUNCTION change_log_article_deleting();
                CREATE TRIGGER article_contacts_logged AFTER INSERT OR DELETE ON article_contacts
                    FOR EACH ROW EXECUTE FUNCTION change_log_article_contact();
                CREATE TRIGGER pledges_logged AFTER INSERT OR UPDATE OR DELETE ON pledges
                    FOR EACH ROW EXECUTE FUNCTION change_log_pledge();
                CREATE TRIGGER photos_logged AFTER UPDATE ON photos
                    FOR EACH ROW EXECUTE FUNCTION change_log_shown();
                CREATE TRIGGER contacts_logged AFTER UPDATE ON contacts
                    FOR EACH ROW EXECUTE FUNCTION change_log_shown();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER change_log_on_commit ON change_log;
                DROP TRIGGER contacts_logged ON contacts;
                DROP TRIGGER photos_logged ON photos;
                DROP TRIGGER pledges_logged ON pledges;
                DROP TRIGGER article_contacts_logged ON article_contacts;
                DROP TRIGGER articles_logged_before_delete ON articles;
                DROP TRIGGER articles_logged ON articles;
                DROP FUNCTION change_log_commit();
                DROP FUNCTION change_log_shown();
                DROP FUNCTION change_log_pledge();
                DROP FUNCTION change_log_article_contact();
                DROP FUNCTION change_log_article_deleting();
                DROP FUNCTION change_log_article();
                DROP FUNCTION change_log_differing(uuid[], uuid[]);
                DROP FUNCTION change_log_note(text, uuid);
                DROP FUNCTION content_is_public(text, uuid);
                DROP SEQUENCE change_log_position;
                DROP TABLE change_log_state;
                """);

            migrationBuilder.DropTable(
                name: "change_log");
        }
    }
}
