using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ContentApi.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class PublishedHasADate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddCheckConstraint(
                name: "ck_pledges_published_has_date",
                table: "pledges",
                sql: "status <> 'Published' OR published_at IS NOT NULL");

            migrationBuilder.AddCheckConstraint(
                name: "ck_articles_published_has_date",
                table: "articles",
                sql: "status <> 'Published' OR published_at IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_pledges_published_has_date",
                table: "pledges");

            migrationBuilder.DropCheckConstraint(
                name: "ck_articles_published_has_date",
                table: "articles");
        }
    }
}
