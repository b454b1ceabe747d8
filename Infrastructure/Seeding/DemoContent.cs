using ContentApi.Domain;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Infrastructure.Seeding;

/// <summary>
/// The demo content: the real article "Nytt medborgarlöfte för 2024" from Sölvesborgs kommun's website, with its
/// pledge, photo and contact. Seeded once, only into an empty database.
/// </summary>
public static class DemoContent
{
    public const string ArticleSlug = "nytt-medborgarlofte-for-2024";

    public static async Task<bool> SeedAsync(ContentDbContext db, PhotoStorage storage, CancellationToken ct = default)
    {
        if (await db.Articles.IgnoreQueryFilters().AnyAsync(ct) || await db.Pledges.IgnoreQueryFilters().AnyAsync(ct))
            return false;

        var publishedAt = new DateTimeOffset(2024, 2, 12, 9, 0, 0, TimeSpan.Zero);

        var bytes = PlaceholderImage.Png(1200, 800, (0x1d, 0x4f, 0x91), (0xf2, 0xc1, 0x4e));
        var stored = await storage.SaveAsync(bytes, ".png", ct);
        var photo = new Photo
        {
            Id = Guid.Parse("6f1d1b0e-5b7a-4c59-9d0a-2f1c2a6e0a01"),
            AltText = "En man och en kvinna tittar in i kameran och ler. På bordet framför dem ligger en varsin kopia av medborgarlöftet.",
            Caption = "Nytt medborgarlöfte för 2024 har skrivits under av Birgit Birgersson-Brorsson och Ola Jarevik.",
            Credit = "Foto: Sölvesborgs kommun",
            Width = 1200,
            Height = 800,
            MediaType = "image/png",
            ByteSize = bytes.Length,
            StoragePath = stored.RelativePath,
            Sha256 = stored.Sha256,
            DominantColor = "#889c70",
            CreatedAt = publishedAt,
            UpdatedAt = publishedAt,
        };

        var contact = new Contact
        {
            Id = Guid.Parse("6f1d1b0e-5b7a-4c59-9d0a-2f1c2a6e0a02"),
            Name = "Gabriella Leandersson",
            Title = "brottsförebyggande samordnare",
            OrganisationalUnit = "Kommunledningsförvaltningen",
            Email = "gabriella.leandersson@solvesborg.se",
            Phone = "+46456816220",
            CreatedAt = publishedAt,
            UpdatedAt = publishedAt,
        };

        var pledge = new Pledge
        {
            Id = Guid.Parse("6f1d1b0e-5b7a-4c59-9d0a-2f1c2a6e0a03"),
            Year = 2024,
            Title = "Medborgarlöfte 2024",
            Summary = "Sölvesborgs kommun och polisen arbetar tillsammans med trygghetsskapande och brottsförebyggande "
                + "åtgärder utifrån en gemensam lägesbild. Årets prioriterade områden är trafik, tidig upptäckt och trygghet.",
            Parties = ["Sölvesborgs kommun", "Lokalpolisområde Sölvesborg"],
            Signatories =
            [
                new() { Name = "Birgit Birgersson-Brorsson", Role = "kommunstyrelsens ordförande", Organisation = "Sölvesborgs kommun" },
                new() { Name = "Ola Jarevik", Role = "lokalpolisområdeschef", Organisation = "Polisen, lokalpolisområde Sölvesborg" },
            ],
            SignedOn = new DateOnly(2024, 2, 12),
            ValidFrom = new DateOnly(2024, 1, 1),
            ValidTo = new DateOnly(2024, 12, 31),
            Basis = ["Den lokala lägesbilden", "Trygghetsmätningen", "Dialog med medborgare"],
            PriorityAreas =
            [
                new()
                {
                    Title = "Trafik",
                    Description = "Ett effektivt, lokalt trafiksäkerhetsarbete, bland annat genom samverkansforum med syfte att förbättra den aktuella trafikmiljön.",
                    Commitments =
                    [
                        new() { Text = "Samverkansforum för att förbättra den aktuella trafikmiljön.", ResponsibleParty = "Kommunen och polisen", Status = CommitmentStatus.InProgress },
                        new() { Text = "Information och dialog om A-traktorer med ungdomar och deras vårdnadshavare.", ResponsibleParty = "Kommunen och polisen", Status = CommitmentStatus.Planned },
                    ],
                },
                new()
                {
                    Title = "Tidig upptäckt",
                    Description = "Arbeta enligt Sölvesborgsmodellen (baserad på SSPF – samverkan mellan skola, socialtjänst, polis och fritid) i det förebyggande arbetet.",
                    Commitments =
                    [
                        new() { Text = "Komma igång med att arbeta enligt Sölvesborgsmodellen.", ResponsibleParty = "Kommunen, polisen och andra aktörer", Status = CommitmentStatus.InProgress },
                        new() { Text = "Lyfta unga individer som det finns en oro för i ett tidigt skede.", ResponsibleParty = "Kommunen och polisen", Status = CommitmentStatus.Planned },
                    ],
                },
                new()
                {
                    Title = "Trygghet",
                    Description = "Fördjupa kunskapen om hur medborgare upplever trygghet i sitt närområde, för att kunna sätta in lämpliga åtgärder.",
                    Commitments =
                    [
                        new() { Text = "Fördjupa kunskapen om upplevd trygghet i närområdena med lägre resultat i trygghetsmätningen.", ResponsibleParty = "Kommunen och polisen", Status = CommitmentStatus.Planned },
                    ],
                },
            ],
            OngoingEfforts =
            [
                new() { Title = "Trygghetsvärdar och fältsekreterare", Description = "Kommunen bidrar med trygghetsvärdar och fältsekreterare för att skapa trygga platser för ungdomar som rör sig ute under kvällar och helger." },
                new() { Title = "Polisens synlighet", Description = "Polisen ska öka sin synlighet i kommunen." },
            ],
            Photo = photo,
            Contact = contact,
        }.Imported(ContentStatus.Published, publishedAt);

        var article = new Article
        {
            Id = Guid.Parse("6f1d1b0e-5b7a-4c59-9d0a-2f1c2a6e0a04"),
            Slug = ArticleSlug,
            Title = "Nytt medborgarlöfte för 2024",
            Lead = "Sölvesborgs kommun och polisen har tecknat nytt medborgarlöfte för 2024. Årets prioriterade områden är trafik, tidig upptäckt och trygghet.",
            Body =
            [
                Block.Paragraph("Under måndagen skrev kommunstyrelsens ordförande Birgit Birgersson-Brorsson och lokalpolisområdeschef Ola Jarevik under årets medborgarlöfte. Ett medborgarlöfte är en del av den samverkansöverenskommelse som innebär att kommunen och polisen arbetar tillsammans med trygghetsskapande och brottsförebyggande åtgärder och insatser utifrån en gemensam lägesbild. I år med ett extra fokus på trafik, tidig upptäckt och trygghet."),
                Block.Quote("Den lokala lägesbilden, trygghetsmätningen och dialog ligger till grund för medborgarlöftet 2024. Trafik, tidig upptäckt och trygghet är de områden som kommer prioriteras under 2024.", "Gabriella Leandersson, brottsförebyggande samordnare"),
                Block.Heading("De tre T:na; trafik, tidig upptäckt och trygghet"),
                Block.Paragraph("Trygghetsmätningen som genomförs årligen är en del i den gemensamma lägesbild som kommunen och polisen upprättar. Resultatet från 2023 visar överlag att invånare känner sig tryggare idag än för några år sedan. Vissa områden har lite lägre resultat kopplat till störningar och otrygghet. Ett av de prioriterade områden under 2024 är trygghet där både kommunen och polisen gemensamt kommer fördjupa sina kunskaper kring hur medborgare upplever trygghet i sitt närområde för att utifrån det kunna sätta in lämpliga åtgärder."),
                Block.Paragraph("Genom det prioriterade området tidig upptäckt ska kommunen tillsammans med polisen och andra aktörer under året komma igång med att arbeta enligt Sölvesborgsmodellen (baseras på modellen SSPF - samverkan mellan skola, socialtjänst, polis och fritid) i det förbyggande arbetet. Samverkan ska leda till att alla aktörer i ett tidigt skede ska lyfta unga individer som det finns en oro för."),
                Block.Paragraph("Kommunen och polisen har identifierat trafik som det tredje prioriterade området och ska under året gemensamt bedriva ett effektivt, lokalt trafiksäkerhetsarbete. Bland annat genom samverkansforum med syfte att förbättra den aktuella trafikmiljön. Stort fokus kommer ligga på A-traktorer där information och dialog med ungdomar och deras vårdnadshavare är en åtgärd."),
                Block.List(["Trafik", "Tidig upptäckt", "Trygghet"]),
                Block.Paragraph("I övrigt kommer fokus fortsatt ligga på synlighetsarbete där kommunen bidrar med både trygghetsvärdar och fältsekreterare för att skapa trygga platser för ungdomar som rör sig ute under kvällar och helger."),
                Block.Quote("Våra trygghetsvärdar och fältsekreterare är viktiga för det trygghetsskapande arbetet och något vi ska fortsätta fokusera på under året samtidigt som polisen ska öka sin synlighet i kommunen.", "Gabriella Leandersson"),
                Block.Link("Läs mer om medborgarlöften på polisens webbplats", "https://polisen.se/om-polisen/polisens-arbete/medborgarloften/"),
            ],
            Tags = ["medborgarlöfte", "trygghet", "trafik", "polisen"],
            HeroPhoto = photo,
            HeroPhotoId = photo.Id,
            Pledge = pledge,
            Contacts = [contact],
        }.Imported(ContentStatus.Published, publishedAt);

        db.Add(article);
        await db.SaveChangesAsync(ct);
        return true;
    }
}
