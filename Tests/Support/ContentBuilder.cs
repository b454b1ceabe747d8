using ContentApi.Domain;
using ContentApi.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

using ContentApi.Tests;

namespace ContentApi.Tests.Support;

/// <summary>Creates content straight through the DbContext (the write API comes later), with real photo files.</summary>
public static class ContentBuilder
{
    private static readonly DateTimeOffset BaseTime = new(2024, 3, 1, 8, 0, 0, TimeSpan.Zero);

    public static Photo Photo(string altText = "Utsikt över hamnen i Sölvesborg.") => new()
    {
        Id = Guid.NewGuid(), AltText = altText, Caption = "Hamnen en vårdag.", Credit = "Foto: Sölvesborgs kommun",
        Width = 4, Height = 3, MediaType = "image/png", CreatedAt = BaseTime, UpdatedAt = BaseTime,
    };

    public static Contact Contact(string name = "Anna Andersson") => new()
    {
        Id = Guid.NewGuid(), Name = name, Title = "kommunikatör", OrganisationalUnit = "Kommunledningsförvaltningen",
        Email = "anna.andersson@solvesborg.se", Phone = "+46456816000", CreatedAt = BaseTime, UpdatedAt = BaseTime,
    };

    public static Article Article(string title, ContentStatus status = ContentStatus.Published, int minutesAfterBase = 0, params string[] tags)
    {
        var at = BaseTime.AddMinutes(minutesAfterBase);
        return new Article
        {
            Id = Guid.NewGuid(), Slug = Slug.FromTitle(title), Title = title, Lead = $"Ingress till {title}.",
            Body = [Block.Paragraph($"Brödtext om {title}.")], Tags = [.. tags],
        }.Imported(status, at);
    }

    public static Pledge Pledge(int year, ContentStatus status = ContentStatus.Published) => new Pledge()
    {
        Id = Guid.NewGuid(), Year = year, Title = $"Medborgarlöfte {year}", Summary = "Kommunen och polisen samverkar.",
        Parties = ["Sölvesborgs kommun", "Lokalpolisområde Sölvesborg"],
        Signatories = [new() { Name = "Birgit Birgersson-Brorsson", Role = "kommunstyrelsens ordförande", Organisation = "Sölvesborgs kommun" }],
        SignedOn = new DateOnly(year, 2, 12), ValidFrom = new DateOnly(year, 1, 1), ValidTo = new DateOnly(year, 12, 31),
        Basis = ["Lokal lägesbild"],
        PriorityAreas =
        [
            new()
            {
                Title = "Trafik", Description = "Trafiksäkerhet.",
                Commitments =
                [
                    new() { Text = "Samverkansforum.", ResponsibleParty = "Kommunen", Status = CommitmentStatus.Done },
                    new() { Text = "Dialog om A-traktorer.", ResponsibleParty = "Polisen", Status = CommitmentStatus.InProgress },
                ],
            },
        ],
        OngoingEfforts = [new() { Title = "Trygghetsvärdar", Description = "Kvällar och helger." }],
    }.Imported(status, BaseTime);

    /// <summary>Saves the entities, writing a real file for each new photo.</summary>
    public static async Task SaveAsync(params object[] entities)
    {
        await using var db = TestRun.Factory.CreateDbContext();
        var storage = TestRun.Factory.Services.GetRequiredService<PhotoStorage>();
        foreach (var entity in entities)
        {
            if (entity is Photo photo && photo.StoragePath.Length == 0)
            {
                var bytes = PlaceholderImage.Png(photo.Width, photo.Height, (10, 20, 30), (200, 210, 220));
                photo.ByteSize = bytes.Length;
                var stored = await storage.SaveAsync(bytes, ".png");
                photo.StoragePath = stored.RelativePath;
                photo.Sha256 = stored.Sha256;
            }
            if (entity is Article article)
            {
                article.RefreshPhotoIds();
                article.RefreshLix();
            }
            db.Add(entity);
        }
        await db.SaveChangesAsync();
        await DeliverySupport.ChangesHeardAsync();
    }
}
