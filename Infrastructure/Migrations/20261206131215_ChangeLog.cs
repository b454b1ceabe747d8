using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ContentApi.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class ChangeLog : Migration
    {
        /// <summary>The key of the advisory lock that gives positions one commit at a time.</summary>
        public const long AdvisoryLock = 7_013_200_615;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "change_log",
                columns: table => new
                {
                    position = table.Column<long>(type: "bigint", nullable: false),
                    kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    content_id = table.Column<Guid>(type: "uuid", nullable: false),
                    change = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    changed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_change_log", x => x.position);
                });

            migrationBuilder.CreateIndex(
                name: "ix_change_log_changed_at",
                table: "change_log",
                column: "changed_at");

            // How the log is written (Domain/ChangeLogEntry). Row triggers on the content tables note, in the unlogged
            // change_log_notes, what may have changed for anonymous readers; they decide nothing that another
            // transaction could change before this one commits. At commit, a deferred trigger takes the log's lock
            // (an advisory lock, held until the commit is visible) and then, seeing every transaction committed before:
            // adds the items whose answers carry a changed one (the articles and pledges showing an edited photo or
            // contact, the articles about a changed pledge), decides for each item whether it is public now (Upserted)
            // or left public view (Removed; dropped when it never was in it), and writes the entries with the next
            // positions of a sequence. Positions so follow commit order: a later one cannot be seen before an earlier
            // one (a bigserial taken at insert could: transactions commit in another order than they insert). The rule
            // of what is public mirrors Domain/Visibility and ContentDbContext's query filters; a test compares them.
            migrationBuilder.Sql($$"""
                CREATE SEQUENCE change_log_position;

                -- Its one row says up to where the log was pruned.
                CREATE TABLE change_log_state (
                    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                    pruned_through bigint NOT NULL);
                INSERT INTO change_log_state VALUES (true, 0);

                -- Notes of the transactions in flight; empty outside them. is_self: the item itself changed as readers
                -- may see it (Removed if it leaves view, when was_public); edited: a photo's or contact's own data
                -- changed (the content showing it changes too); neither: an item whose answer carries a changed one.
                CREATE UNLOGGED TABLE change_log_notes (
                    txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
                    kind text NOT NULL,
                    content_id uuid NOT NULL,
                    is_self boolean NOT NULL,
                    edited boolean NOT NULL,
                    was_public boolean NOT NULL,
                    PRIMARY KEY (txid, kind, content_id));

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

                CREATE FUNCTION change_log_note(kind text, content_id uuid, is_self boolean, edited boolean, was_public boolean)
                RETURNS void LANGUAGE sql AS $$
                    INSERT INTO change_log_notes AS n (kind, content_id, is_self, edited, was_public)
                    VALUES (kind, content_id, is_self, edited, was_public)
                    ON CONFLICT (txid, kind, content_id) DO UPDATE
                    SET is_self = n.is_self OR excluded.is_self, edited = n.edited OR excluded.edited,
                        -- An article's or pledge's first own change saw it as it was before the transaction. A photo
                        -- or contact was in view if any of the content that stopped showing it was.
                        was_public = CASE
                            WHEN n.kind NOT IN ('Article', 'Pledge') THEN n.was_public OR excluded.was_public
                            WHEN n.is_self THEN n.was_public
                            ELSE excluded.was_public END $$;

                -- Photos and contacts that an article or pledge in view starts or stops showing: those it stops showing
                -- were public (through it), those it starts showing were perhaps not.
                CREATE FUNCTION change_log_shown_by(kind text, before uuid[], after uuid[]) RETURNS void LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM change_log_note(kind, gone, true, false, true)
                    FROM (SELECT unnest(before) EXCEPT SELECT unnest(after)) AS g(gone);
                    PERFORM change_log_note(kind, came, true, false, false)
                    FROM (SELECT unnest(after) EXCEPT SELECT unnest(before)) AS c(came);
                END $$;

                -- An article readers see before or after the change (not a change of its pending version only): the
                -- article, its pledge (which lists it), and the photos and contacts it starts or stops showing.
                CREATE FUNCTION change_log_article() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    was boolean := TG_OP <> 'INSERT' AND OLD.status = 'Published';
                    now_public boolean := TG_OP <> 'DELETE' AND NEW.status = 'Published';
                    before_ articles;
                    after_ articles;
                BEGIN
                    IF NOT was AND NOT now_public THEN RETURN NULL; END IF;
                    IF was AND now_public THEN
                        before_ := OLD; after_ := NEW;
                        before_.pending_changes := NULL; after_.pending_changes := NULL;
                        before_.has_pending_changes := NULL; after_.has_pending_changes := NULL;
                        before_.version := 0; after_.version := 0;
                        IF before_ IS NOT DISTINCT FROM after_ THEN RETURN NULL; END IF;
                    END IF;
                    PERFORM change_log_note('Article', CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END, true, false, was);
                    PERFORM change_log_note('Pledge', pledge, false, false, false)
                    FROM unnest(ARRAY[OLD.pledge_id, NEW.pledge_id]) AS p(pledge) WHERE pledge IS NOT NULL;
                    IF NOT (was AND now_public) OR OLD.photo_ids IS DISTINCT FROM NEW.photo_ids THEN
                        PERFORM change_log_shown_by('Photo',
                            CASE WHEN was THEN OLD.photo_ids ELSE '{}' END, CASE WHEN now_public THEN NEW.photo_ids ELSE '{}' END);
                    END IF;
                    -- Its contacts when it comes into or leaves view. (Links changed while it stays in view are noted
                    -- by change_log_article_contact; a deleted article's before they go.)
                    IF TG_OP = 'UPDATE' AND was <> now_public THEN
                        PERFORM change_log_note('Contact', ac.contact_id, true, false, was)
                        FROM article_contacts ac WHERE ac.article_id = NEW.id;
                    END IF;
                    RETURN NULL;
                END $$;

                CREATE FUNCTION change_log_article_deleting() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF OLD.status = 'Published' THEN
                        PERFORM change_log_note('Contact', ac.contact_id, true, false, true)
                        FROM article_contacts ac WHERE ac.article_id = OLD.id;
                    END IF;
                    RETURN OLD;
                END $$;

                -- A link changed on an article in view (the saving transaction holds the article's row): the article
                -- shows its contacts, and the contact comes into or perhaps leaves view.
                CREATE FUNCTION change_log_article_contact() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    link article_contacts := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
                BEGIN
                    IF EXISTS (SELECT FROM articles a WHERE a.id = link.article_id AND a.status = 'Published') THEN
                        PERFORM change_log_note('Article', link.article_id, false, false, false);
                        PERFORM change_log_note('Contact', link.contact_id, true, false, TG_OP = 'DELETE');
                    END IF;
                    RETURN NULL;
                END $$;

                -- A pledge readers see before or after the change, and its photo and contact when they change or it
                -- comes into or leaves view (the articles about it are added at commit).
                CREATE FUNCTION change_log_pledge() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    was boolean := TG_OP <> 'INSERT' AND OLD.status = 'Published';
                    now_public boolean := TG_OP <> 'DELETE' AND NEW.status = 'Published';
                    before_ pledges;
                    after_ pledges;
                BEGIN
                    IF NOT was AND NOT now_public THEN RETURN NULL; END IF;
                    IF was AND now_public THEN
                        before_ := OLD; after_ := NEW;
                        before_.pending_changes := NULL; after_.pending_changes := NULL;
                        before_.has_pending_changes := NULL; after_.has_pending_changes := NULL;
                        before_.version := 0; after_.version := 0;
                        IF before_ IS NOT DISTINCT FROM after_ THEN RETURN NULL; END IF;
                    END IF;
                    PERFORM change_log_note('Pledge', CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END, true, false, was);
                    PERFORM change_log_shown_by('Photo',
                        CASE WHEN was THEN array_remove(ARRAY[OLD.photo_id], NULL) ELSE '{}' END,
                        CASE WHEN now_public THEN array_remove(ARRAY[NEW.photo_id], NULL) ELSE '{}' END);
                    PERFORM change_log_shown_by('Contact',
                        CASE WHEN was THEN array_remove(ARRAY[OLD.contact_id], NULL) ELSE '{}' END,
                        CASE WHEN now_public THEN array_remove(ARRAY[NEW.contact_id], NULL) ELSE '{}' END);
                    RETURN NULL;
                END $$;

                -- A photo's or contact's own data changed. Whether anything in view shows it is decided at commit.
                CREATE FUNCTION change_log_edited() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF OLD IS DISTINCT FROM NEW THEN
                        PERFORM change_log_note(CASE TG_TABLE_NAME WHEN 'photos' THEN 'Photo' ELSE 'Contact' END, NEW.id, false, true, false);
                    END IF;
                    RETURN NULL;
                END $$;

                -- At commit, once per transaction (the first of its notes' deferred events does the work; the others find
                -- nothing left). Under the log's lock, each statement sees every transaction committed before.
                CREATE FUNCTION change_log_commit() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    me xid8 := pg_current_xact_id();
                    announced bigint;
                BEGIN
                    -- Its own note only (one key): a scan for any note would pass over all those already done.
                    PERFORM FROM change_log_notes WHERE txid = NEW.txid AND kind = NEW.kind AND content_id = NEW.content_id;
                    IF NOT FOUND THEN RETURN NULL; END IF;
                    PERFORM pg_advisory_xact_lock({{AdvisoryLock}});

                    -- The content whose answers carry what changed.
                    PERFORM change_log_note('Article', a.id, false, false, false)
                    FROM change_log_notes n JOIN articles a ON a.photo_ids @> ARRAY[n.content_id]
                    WHERE n.txid = me AND n.kind = 'Photo' AND n.edited AND a.status = 'Published';
                    PERFORM change_log_note('Pledge', p.id, false, false, false)
                    FROM change_log_notes n JOIN pledges p ON p.photo_id = n.content_id
                    WHERE n.txid = me AND n.kind = 'Photo' AND n.edited AND p.status = 'Published';
                    PERFORM change_log_note('Article', a.id, false, false, false)
                    FROM change_log_notes n JOIN article_contacts ac ON ac.contact_id = n.content_id JOIN articles a ON a.id = ac.article_id
                    WHERE n.txid = me AND n.kind = 'Contact' AND n.edited AND a.status = 'Published';
                    PERFORM change_log_note('Pledge', p.id, false, false, false)
                    FROM change_log_notes n JOIN pledges p ON p.contact_id = n.content_id
                    WHERE n.txid = me AND n.kind = 'Contact' AND n.edited AND p.status = 'Published';
                    PERFORM change_log_note('Article', a.id, false, false, false)
                    FROM change_log_notes n JOIN articles a ON a.pledge_id = n.content_id
                    WHERE n.txid = me AND n.kind = 'Pledge' AND n.is_self AND a.status = 'Published';

                    -- Public now: upserted; out of view and seen in it before: removed; else nothing readers saw. A
                    -- photo or contact that was in view and still is, unedited (content stopped showing it, other
                    -- content still does), did not change for readers.
                    WITH decided AS (
                        SELECT kind, content_id, public, was
                        FROM (SELECT kind, content_id, edited, content_is_public(kind, content_id) AS public, is_self AND was_public AS was
                              FROM change_log_notes WHERE txid = me) n
                        WHERE NOT (public AND was AND NOT edited AND kind IN ('Photo', 'Contact'))),
                    written AS (
                        INSERT INTO change_log (position, kind, content_id, change, changed_at, version)
                        SELECT nextval('change_log_position'), kind, content_id,
                            CASE WHEN public THEN 'Upserted' ELSE 'Removed' END, clock_timestamp(),
                            CASE kind
                                WHEN 'Article' THEN (SELECT version FROM articles WHERE id = content_id)
                                WHEN 'Pledge' THEN (SELECT version FROM pledges WHERE id = content_id)
                                WHEN 'Photo' THEN (SELECT version FROM photos WHERE id = content_id)
                                WHEN 'Contact' THEN (SELECT version FROM contacts WHERE id = content_id)
                            END
                        FROM decided WHERE public OR was
                        RETURNING position, kind, content_id, change)
                    SELECT count(pg_notify('content_changes', json_build_object(
                        'position', position, 'kind', kind, 'id', content_id, 'change', change)::text)) INTO announced FROM written;

                    DELETE FROM change_log_notes WHERE txid = me;
                    RETURN NULL;
                END $$;

                CREATE CONSTRAINT TRIGGER change_log_notes_on_commit AFTER INSERT ON change_log_notes
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
                    FOR EACH ROW EXECUTE FUNCTION change_log_edited();
                CREATE TRIGGER contacts_logged AFTER UPDATE ON contacts
                    FOR EACH ROW EXECUTE FUNCTION change_log_edited();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER change_log_notes_on_commit ON change_log_notes;
                DROP TRIGGER contacts_logged ON contacts;
                DROP TRIGGER photos_logged ON photos;
                DROP TRIGGER pledges_logged ON pledges;
                DROP TRIGGER article_contacts_logged ON article_contacts;
                DROP TRIGGER articles_logged_before_delete ON articles;
                DROP TRIGGER articles_logged ON articles;
                DROP FUNCTION change_log_commit();
                DROP FUNCTION change_log_edited();
                DROP FUNCTION change_log_pledge();
                DROP FUNCTION change_log_article_contact();
                DROP FUNCTION change_log_article_deleting();
                DROP FUNCTION change_log_article();
                DROP FUNCTION change_log_shown_by(text, uuid[], uuid[]);
                DROP FUNCTION change_log_note(text, uuid, boolean, boolean, boolean);
                DROP FUNCTION content_is_public(text, uuid);
                DROP TABLE change_log_notes;
                DROP TABLE change_log_state;
                DROP SEQUENCE change_log_position;
                """);

            migrationBuilder.DropTable(
                name: "change_log");
        }
    }
}
