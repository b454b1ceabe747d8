using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ContentApi.Infrastructure.Migrations
{
    /// <summary>
    /// An article's photos (hero and body images, kept in <c>photo_ids</c>) must exist, as a foreign key would make
    /// them, which an array column cannot have. Checked at commit, row by row, with the photos locked as PostgreSQL's
    /// own foreign keys lock them (FOR KEY SHARE); a photo an article uses cannot be deleted. Together these close the
    /// race between saving an article and deleting a photo it shows, whichever commits first: the loser gets a
    /// foreign_key_violation (the API answers 409).
    /// </summary>
    public partial class ArticlePhotosMustExist : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE FUNCTION article_photos_exist() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    shown uuid[];
                    wanted int;
                    present int;
                BEGIN
                    -- The row as it is at commit, not as this write left it: a later write in the same transaction may
                    -- have changed its photos or deleted it (as PostgreSQL's own foreign keys do).
                    SELECT photo_ids INTO shown FROM articles WHERE id = NEW.id;
                    IF NOT FOUND THEN
                        RETURN NULL;
                    END IF;
                    wanted := cardinality(ARRAY(SELECT DISTINCT unnest(shown)));
                    IF wanted = 0 THEN
                        RETURN NULL;
                    END IF;
                    SELECT count(*) INTO present FROM (SELECT 1 FROM photos WHERE id = ANY (shown) FOR KEY SHARE) AS locked;
                    IF present < wanted THEN
                        RAISE EXCEPTION 'article % shows a photo that does not exist', NEW.id
                            USING ERRCODE = 'foreign_key_violation', TABLE = 'articles', CONSTRAINT = 'ck_articles_photo_ids_exist';
                    END IF;
                    RETURN NULL;
                END $$;

                CREATE CONSTRAINT TRIGGER articles_photo_ids_exist
                    AFTER INSERT OR UPDATE OF photo_ids ON articles
                    DEFERRABLE INITIALLY DEFERRED
                    FOR EACH ROW EXECUTE FUNCTION article_photos_exist();

                CREATE FUNCTION photo_not_shown_by_articles() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF EXISTS (SELECT 1 FROM articles WHERE photo_ids @> ARRAY[OLD.id]) THEN
                        RAISE EXCEPTION 'photo % is shown by an article', OLD.id
                            USING ERRCODE = 'foreign_key_violation', TABLE = 'photos', CONSTRAINT = 'ck_articles_photo_ids_exist';
                    END IF;
                    RETURN OLD;
                END $$;

                CREATE TRIGGER photos_not_shown_by_articles
                    BEFORE DELETE ON photos
                    FOR EACH ROW EXECUTE FUNCTION photo_not_shown_by_articles();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER photos_not_shown_by_articles ON photos;
                DROP FUNCTION photo_not_shown_by_articles();
                DROP TRIGGER articles_photo_ids_exist ON articles;
                DROP FUNCTION article_photos_exist();
                """);
        }
    }
}
