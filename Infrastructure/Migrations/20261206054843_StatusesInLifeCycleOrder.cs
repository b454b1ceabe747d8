using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ContentApi.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class StatusesInLifeCycleOrder : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // By hand: EF Core would declare the labels in alphabetical order and convert without USING. The views read
            // the column, so they are made again around the change.
            migrationBuilder.Sql("DROP VIEW pledge_previews; DROP VIEW article_contact_previews; DROP VIEW article_previews;");
            migrationBuilder.Sql("CREATE TYPE content_status AS ENUM ('Draft', 'Published', 'Archived');");
            migrationBuilder.Sql("""
                ALTER TABLE articles ALTER COLUMN status TYPE content_status USING status::content_status;
                ALTER TABLE pledges ALTER COLUMN status TYPE content_status USING status::content_status;
                """);
            migrationBuilder.Sql(OnePreviewFace.PreviewViews);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP VIEW pledge_previews; DROP VIEW article_contact_previews; DROP VIEW article_previews;");
            migrationBuilder.Sql("""
                ALTER TABLE articles ALTER COLUMN status TYPE character varying(20) USING status::text;
                ALTER TABLE pledges ALTER COLUMN status TYPE character varying(20) USING status::text;
                DROP TYPE content_status;
                """);
            migrationBuilder.Sql(OnePreviewFace.PreviewViews);
        }
    }
}
