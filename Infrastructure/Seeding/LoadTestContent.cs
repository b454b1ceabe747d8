using ContentApi.Domain;
using Microsoft.EntityFrameworkCore;
using Npgsql;

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

    public static async Task GenerateAsync(ContentDbContext db, PhotoStorage storage, int count, TimeProvider clock,
        int saveAtMost = SavedArticles, CancellationToken ct = default)
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
        // Spread over at most twenty years: a million articles are an archive, not 70 years of news.
        var spacing = TimeSpan.FromMinutes(Math.Min(37, TimeSpan.FromDays(20 * 365).TotalMinutes / count));
        var saved = Math.Min(count, saveAtMost);
        var savedIds = new List<Guid>(saved);
        const int batchSize = 2_000;
        for (var start = 0; start < saved; start += batchSize)
        {
            db.ChangeTracker.Clear();
            foreach (var c in contacts) db.Attach(c);
            for (var i = start; i < Math.Min(saved, start + batchSize); i++)
            {
                var title = $"{Pick(random, Subjects)} {Pick(random, Verbs)} {Pick(random, Objects)}";
                var published = now - i * spacing - TimeSpan.FromMinutes(random.Next(30));
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
                savedIds.Add(article.Id);
            }
            db.ChangeTracker.DetectChanges();
            await db.SaveChangesAsync(ct);
        }
        if (count > saved)
            await CopyArticlesAsync(db, savedIds, numbered, count, now, spacing, ct);
    }

    /// <summary>
    /// How many articles are saved one by one through EF Core (the real save path) unless told otherwise; the rest copy
    /// their text, tags, photos and contacts from these in SQL, which makes a million articles in minutes, not hours.
    /// </summary>
    public const int SavedArticles = 2_000;

    /// <summary>
    /// The articles after the saved ones up to <paramref name="count"/>, one transaction per batch: article i copies
    /// every column of saved article (i mod the number saved) except its id, slug, status, dates and
    /// version, which follow the same rules as the saved ones, and that article's contacts. Every trigger runs as for any
    /// insert (published counts, the change log, the photo check), so the copies are content like any other.
    /// </summary>
    private static async Task CopyArticlesAsync(ContentDbContext db, List<Guid> saved, int numbered, int count,
        DateTimeOffset now, TimeSpan spacing, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(30));
        var columns = await db.Database.SqlQueryRaw<string>("""
            SELECT column_name::text AS "Value" FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = 'articles' AND is_generated = 'NEVER'
              AND column_name NOT IN ('id', 'slug', 'status', 'published_at', 'created_at', 'updated_at', 'version', 'pending_changes')
            ORDER BY ordinal_position
            """).ToListAsync(ct);
        var copied = string.Join(", ", columns.Select(c => $"\"{c}\""));
        var fromTemplate = string.Join(", ", columns.Select(c => $"t.\"{c}\""));
        // Only column names from the catalogue are spliced in; every value is a parameter.
        var copy = $$"""
                CREATE TEMP TABLE load_batch ON COMMIT DROP AS
                SELECT g AS i, gen_random_uuid() AS id, t.id AS template_id
                FROM generate_series(@start, @end - 1) g
                JOIN unnest(@saved) WITH ORDINALITY AS t(id, n) ON t.n = g % cardinality(@saved) + 1;

                INSERT INTO articles (id, slug, status, published_at, created_at, updated_at, version, {{copied}})
                SELECT b.id, regexp_replace(t.slug, '-[0-9]+$', '') || '-' || (@numbered + b.i + 1),
                       s.status::content_status, CASE WHEN s.status = 'Draft' THEN NULL ELSE s.at END, s.at, s.at, 1,
                       {{fromTemplate}}
                FROM load_batch b JOIN articles t ON t.id = b.template_id
                CROSS JOIN LATERAL (SELECT
                    CASE WHEN b.i % 20 = 19 THEN 'Draft' WHEN b.i % 50 = 49 THEN 'Archived' ELSE 'Published' END AS status,
                    @now - b.i * @spacing - make_interval(mins => (hashint4(b.i) & 2147483647) % 30) AS at) s;

                INSERT INTO article_contacts (article_id, contact_id)
                SELECT b.id, ac.contact_id FROM load_batch b JOIN article_contacts ac ON ac.article_id = b.template_id;
                """;
        const int batchSize = 50_000;
        for (var start = saved.Count; start < count; start += batchSize)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await db.Database.ExecuteSqlRawAsync(copy,
                [new NpgsqlParameter("start", start), new NpgsqlParameter("end", Math.Min(count, start + batchSize)),
                 new NpgsqlParameter("numbered", numbered), new NpgsqlParameter("now", now),
                 new NpgsqlParameter("spacing", spacing), new NpgsqlParameter("saved", saved.ToArray())], ct);
            await transaction.CommitAsync(ct);
        }
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
