using ContentApi.Domain;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Infrastructure.Seeding;

/// <summary>
/// Fills the database with realistic Swedish articles for load tests: tags, hero photos, contacts, a few drafts.
/// Deterministic for a given count, so benchmark runs compare like with like.
/// </summary>
public static class LoadTestContent
{
    public static readonly string[] Tags =
        ["trafik", "trygghet", "skola", "förskola", "äldreomsorg", "kultur", "idrott", "bygglov", "miljö", "vatten",
         "avfall", "näringsliv", "turism", "hamnen", "kommunfullmäktige", "budget", "vägarbete", "bibliotek",
         "fritid", "socialtjänst", "medborgarlöfte", "polisen", "krisberedskap", "sommarjobb", "evenemang"];

    private static readonly string[] Subjects =
        ["Kommunen", "Tekniska förvaltningen", "Barn- och utbildningsförvaltningen", "Kultur- och fritidsförvaltningen",
         "Miljö- och byggnadsförvaltningen", "Räddningstjänsten", "Vård- och omsorgsförvaltningen", "Sölvesborgshem"];
    private static readonly string[] Verbs = ["inför", "utreder", "bjuder in till", "planerar", "startar", "förbättrar", "satsar på", "informerar om"];
    private static readonly string[] Objects =
        ["nya cykelbanor i centrum", "öppet hus på biblioteket", "sommarjobb för unga", "renovering av Falkvik",
         "trygghetsvandring i Norje", "ny förskola i Mjällby", "vägarbete på Västra Storgatan", "Sölvesborgs hamnfest",
         "energirådgivning för villaägare", "digital medborgardialog", "fler trygghetsvärdar", "simskola på Lister"];
    private static readonly string[] Sentences =
        ["Arbetet sker i nära samverkan med invånare, föreningar och näringsliv.",
         "Mer information finns på kommunens webbplats och i kontaktcenter.",
         "Syftet är att göra Sölvesborg till en ännu bättre plats att bo, verka och vistas i.",
         "Alla som vill lämna synpunkter är välkomna att höra av sig till kommunen.",
         "Beslutet fattades av kommunstyrelsen vid dess senaste sammanträde.",
         "Arbetet beräknas vara klart under hösten, om vädret tillåter.",
         "Satsningen finansieras delvis med statliga medel.",
         "Under perioden kan framkomligheten vara begränsad i området."];
    private static readonly string[] FirstNames = ["Anna", "Erik", "Maria", "Lars", "Karin", "Johan", "Eva", "Per", "Sara", "Nils", "Åsa", "Örjan"];
    private static readonly string[] LastNames = ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson", "Gustafsson"];

    public static async Task GenerateAsync(ContentDbContext db, PhotoStorage storage, int count, TimeProvider clock, CancellationToken ct = default)
    {
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        var random = new Random(count);
        var now = clock.GetUtcNow();

        var photos = new List<Photo>();
        for (var i = 0; i < 40; i++)
        {
            var bytes = PlaceholderImage.Png(640, 400, ((byte)(i * 6), 0x50, 0x90), (0xf0, (byte)(200 - i * 3), 0x40));
            var stored = await storage.SaveAsync(bytes, ".png", ct);
            photos.Add(new Photo
            {
                Id = Guid.NewGuid(),
                AltText = $"Vy över {Pick(random, Objects)} i Sölvesborgs kommun.",
                Caption = Pick(random, Sentences),
                Credit = "Foto: Sölvesborgs kommun",
                Width = 640, Height = 400, MediaType = "image/png", ByteSize = bytes.Length,
                StoragePath = stored.RelativePath, Sha256 = stored.Sha256,
                CreatedAt = now, UpdatedAt = now,
            });
        }
        var contacts = Enumerable.Range(0, 200).Select(i =>
        {
            var first = Pick(random, FirstNames);
            var last = Pick(random, LastNames);
            return new Contact
            {
                Id = Guid.NewGuid(), Name = $"{first} {last}", Title = "handläggare", OrganisationalUnit = Pick(random, Subjects),
                Email = $"{Slug.FromTitle(first)}.{Slug.FromTitle(last)}{i}@solvesborg.se", Phone = $"+46456816{i:000}",
                CreatedAt = now, UpdatedAt = now,
            };
        }).ToList();
        db.AddRange(photos);
        db.AddRange(contacts);
        await db.SaveChangesAsync(ct);

        // Numbered after the articles already there, so a second run adds to the first instead of repeating its slugs.
        var numbered = await db.Articles.IgnoreQueryFilters().CountAsync(ct);
        const int batchSize = 2_000;
        for (var start = 0; start < count; start += batchSize)
        {
            db.ChangeTracker.Clear();
            foreach (var c in contacts) db.Attach(c);
            for (var i = start; i < Math.Min(count, start + batchSize); i++)
            {
                var title = $"{Pick(random, Subjects)} {Pick(random, Verbs)} {Pick(random, Objects)}";
                var published = now.AddMinutes(-i * 37 - random.Next(30));
                var status = i % 20 == 19 ? ContentStatus.Draft : i % 50 == 49 ? ContentStatus.Archived : ContentStatus.Published;
                var article = new Article
                {
                    Id = Guid.NewGuid(),
                    Slug = $"{Slug.FromTitle(title)}-{numbered + i + 1}",
                    Title = title,
                    Lead = $"{title}. {Pick(random, Sentences)}",
                    Body =
                    [
                        Block.Paragraph(string.Join(' ', Enumerable.Range(0, 4).Select(_ => Pick(random, Sentences)))),
                        Block.Heading("Bakgrund"),
                        Block.Paragraph(string.Join(' ', Enumerable.Range(0, 3).Select(_ => Pick(random, Sentences)))),
                        Block.Quote(Pick(random, Sentences), $"{Pick(random, FirstNames)} {Pick(random, LastNames)}"),
                    ],
                    Tags = [.. Enumerable.Range(0, 1 + random.Next(3)).Select(_ => Pick(random, Tags)).Distinct()],
                    HeroPhotoId = Pick(random, photos).Id,
                    Contacts = [Pick(random, contacts)],
                }.Imported(status, published);
                db.Add(article);
            }
            db.ChangeTracker.DetectChanges();
            await db.SaveChangesAsync(ct);
        }
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
