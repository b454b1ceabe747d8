using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ContentApi.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class PhotoFiles : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "dominant_color",
                table: "photos",
                type: "character varying(7)",
                maxLength: 7,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<double>(
                name: "focal_x",
                table: "photos",
                type: "double precision",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<double>(
                name: "focal_y",
                table: "photos",
                type: "double precision",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<string>(
                name: "sha256",
                table: "photos",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateIndex(
                name: "ix_photos_sha256",
                table: "photos",
                column: "sha256");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_photos_sha256",
                table: "photos");

            migrationBuilder.DropColumn(
                name: "dominant_color",
                table: "photos");

            migrationBuilder.DropColumn(
                name: "focal_x",
                table: "photos");

            migrationBuilder.DropColumn(
                name: "focal_y",
                table: "photos");

            migrationBuilder.DropColumn(
                name: "sha256",
                table: "photos");
        }
    }
}
