using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ContentApi.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class UsedPhotosAndContactsStay : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_article_contacts_contacts_contact_id",
                table: "article_contacts");

            migrationBuilder.DropForeignKey(
                name: "fk_articles_photos_hero_photo_id",
                table: "articles");

            migrationBuilder.DropForeignKey(
                name: "fk_pledges_contacts_contact_id",
                table: "pledges");

            migrationBuilder.DropForeignKey(
                name: "fk_pledges_photos_photo_id",
                table: "pledges");

            migrationBuilder.AddForeignKey(
                name: "fk_article_contacts_contacts_contact_id",
                table: "article_contacts",
                column: "contact_id",
                principalTable: "contacts",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "fk_articles_photos_hero_photo_id",
                table: "articles",
                column: "hero_photo_id",
                principalTable: "photos",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "fk_pledges_contacts_contact_id",
                table: "pledges",
                column: "contact_id",
                principalTable: "contacts",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "fk_pledges_photos_photo_id",
                table: "pledges",
                column: "photo_id",
                principalTable: "photos",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_article_contacts_contacts_contact_id",
                table: "article_contacts");

            migrationBuilder.DropForeignKey(
                name: "fk_articles_photos_hero_photo_id",
                table: "articles");

            migrationBuilder.DropForeignKey(
                name: "fk_pledges_contacts_contact_id",
                table: "pledges");

            migrationBuilder.DropForeignKey(
                name: "fk_pledges_photos_photo_id",
                table: "pledges");

            migrationBuilder.AddForeignKey(
                name: "fk_article_contacts_contacts_contact_id",
                table: "article_contacts",
                column: "contact_id",
                principalTable: "contacts",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "fk_articles_photos_hero_photo_id",
                table: "articles",
                column: "hero_photo_id",
                principalTable: "photos",
                principalColumn: "id",
                onDelete: ReferentialAction.SetNull);

            migrationBuilder.AddForeignKey(
                name: "fk_pledges_contacts_contact_id",
                table: "pledges",
                column: "contact_id",
                principalTable: "contacts",
                principalColumn: "id",
                onDelete: ReferentialAction.SetNull);

            migrationBuilder.AddForeignKey(
                name: "fk_pledges_photos_photo_id",
                table: "pledges",
                column: "photo_id",
                principalTable: "photos",
                principalColumn: "id",
                onDelete: ReferentialAction.SetNull);
        }
    }
}
