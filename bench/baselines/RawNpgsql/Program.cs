// Baseline (b) of bench/run.sh: what the API's read paths cost when written by hand with raw Npgsql
// (NpgsqlDataSource, positional parameters, one round trip per request through NpgsqlBatch, Utf8JsonWriter straight
// into the response) against the same database. It produces the same JSON documents as the API (same fields, same
// order, body blocks in camelCase without nulls, bodyHtml, rendition addresses, phoneDisplay), so a ratio between the
// two measures the API's machinery (EF Core, its visibility filters, OData, DTOs), not a difference in output.
//
//   GET /api/articles/by-slug/{slug}      = GET /api/articles/by-slug/{slug} of the API
//   GET /api/articles?page=N&pageSize=20  = GET /api/articles?page=N&pageSize=20 of the API
//   GET /raw/articles-by-tag/{tag}?top=20 ~ GET /odata/Articles?$filter=tags/any(t:t eq '{tag}')&$orderby=publishedAt desc
//                                            &$top=20&$select=title,slug,publishedAt&$count=true
//
// Deliberate differences: hand-written SQL knows that the hero photo and the contacts of a published article are
// visible, so it does not repeat the EF Core query filters of photos and contacts (EXISTS over articles/pledges).
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Npgsql;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var connectionString = builder.Configuration.GetConnectionString("ContentDb")
    ?? throw new InvalidOperationException("Set ConnectionStrings__ContentDb.");
await using var dataSource = NpgsqlDataSource.Create(connectionString);
var app = builder.Build();

app.MapGet("/api/articles/by-slug/{slug}", (HttpContext context, string slug) =>
    Articles.BySlugAsync(dataSource, context, slug));
app.MapGet("/api/articles", (HttpContext context, int? page, int? pageSize) =>
    Articles.ListAsync(dataSource, context, page ?? 1, pageSize ?? 20));
app.MapGet("/raw/articles-by-tag/{tag}", (HttpContext context, string tag, int? top) =>
    Articles.ByTagAsync(dataSource, context, tag, top ?? 20));
app.MapGet("/health", async () =>
{
    await using var command = dataSource.CreateCommand("select 1");
    await command.ExecuteScalarAsync();
    return Results.Text("ok");
});
app.Run();

internal static class Articles
{
    private const string PhotoColumns =
        "p.id, p.alt_text, p.decorative, p.caption, p.credit, p.width, p.height, p.media_type, p.byte_size, p.sha256, " +
        "p.dominant_color, p.focal_x, p.focal_y, p.updated_at";

    private const string ArticleBySlugSql =
        "select a.id, a.slug, a.title, a.lead, a.tags, a.status, a.published_at, a.updated_at, a.body::text, " +
        PhotoColumns + ", pl.id, pl.year, pl.title, pl.valid_from, pl.valid_to " +
        "from articles a " +
        "left join photos p on p.id = a.hero_photo_id " +
        "left join pledges pl on pl.id = a.pledge_id and pl.status = 'Published' " +
        "where a.slug = $1 and a.status = 'Published'";

    private const string ContactsBySlugSql =
        "select c.id, c.name, c.title, c.organisational_unit, c.email, c.phone " +
        "from articles a " +
        "join article_contacts ac on ac.article_id = a.id " +
        "join contacts c on c.id = ac.contact_id " +
        "where a.slug = $1 and a.status = 'Published' " +
        "order by c.name";

    private const string PhotosByIdSql = "select " + PhotoColumns + " from photos p where p.id = any($1)";

    private const string CountPublishedSql = "select count(*)::int from articles where status = 'Published'";

    private const string ListSql =
        "select a.id, a.slug, a.title, a.lead, a.tags, a.published_at, a.updated_at, " + PhotoColumns + " " +
        "from (select id, slug, title, lead, tags, published_at, updated_at, hero_photo_id from articles " +
        "      where status = 'Published' order by published_at desc, id desc limit $1 offset $2) a " +
        "left join photos p on p.id = a.hero_photo_id " +
        "order by a.published_at desc, a.id desc";

    private const string CountTaggedSql =
        "select count(*) from articles where status = 'Published' and tags @> array[$1]::text[]";

    private const string TaggedSql =
        "select slug, title, published_at from articles " +
        "where status = 'Published' and tags @> array[$1]::text[] " +
        "order by published_at desc, id limit $2";

    public static readonly JsonWriterOptions WriterOptions = new()
    {
        // As ASP.NET Core's web defaults: å, ä, ö and < > stay as they are.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    public static async Task BySlugAsync(NpgsqlDataSource dataSource, HttpContext context, string slug)
    {
        var ct = context.RequestAborted;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(ArticleBySlugSql) { Parameters = { new NpgsqlParameter<string> { TypedValue = slug } } },
                new NpgsqlBatchCommand(ContactsBySlugSql) { Parameters = { new NpgsqlParameter<string> { TypedValue = slug } } },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            await NotFoundAsync(context, $"There is no published article with the slug '{slug}'.");
            return;
        }
        var id = reader.GetGuid(0);
        var articleSlug = reader.GetString(1);
        var title = reader.GetString(2);
        var lead = reader.GetString(3);
        var tags = reader.GetFieldValue<string[]>(4);
        var status = reader.GetString(5);
        DateTime? publishedAt = reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTime>(6);
        var updatedAt = reader.GetFieldValue<DateTime>(7);
        var bodyJson = reader.GetString(8);
        var hero = reader.IsDBNull(9) ? null : PhotoRow.Read(reader, 9);
        PledgeRow? pledge = reader.IsDBNull(23) ? null : new PledgeRow(reader.GetGuid(23), reader.GetInt32(24),
            reader.GetString(25), reader.GetFieldValue<DateOnly>(26), reader.GetFieldValue<DateOnly>(27));
        await reader.NextResultAsync(ct);
        var contacts = new List<ContactRow>();
        while (await reader.ReadAsync(ct))
            contacts.Add(new ContactRow(reader.GetGuid(0), reader.GetString(1), NullableString(reader, 2),
                NullableString(reader, 3), NullableString(reader, 4), NullableString(reader, 5)));
        await reader.DisposeAsync();

        using var body = JsonDocument.Parse(bodyJson);
        var imageIds = new List<Guid>();
        foreach (var block in body.RootElement.EnumerateArray())
            if (Str(block, "Type") == "Image" && block.TryGetProperty("PhotoId", out var pid) && pid.ValueKind == JsonValueKind.String)
                imageIds.Add(pid.GetGuid());
        var bodyPhotos = new List<PhotoRow>();
        if (imageIds.Count > 0)
        {
            await using var command = new NpgsqlCommand(PhotosByIdSql, connection)
            {
                Parameters = { new NpgsqlParameter<Guid[]> { TypedValue = [.. imageIds.Distinct()] } },
            };
            await using var photos = await command.ExecuteReaderAsync(ct);
            while (await photos.ReadAsync(ct))
                bodyPhotos.Add(PhotoRow.Read(photos, 0));
        }

        context.Response.ContentType = "application/json; charset=utf-8";
        await using (var w = new Utf8JsonWriter(context.Response.BodyWriter, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("slug", articleSlug);
            w.WriteString("title", title);
            w.WriteString("lead", lead);
            WriteStrings(w, "tags", tags);
            w.WriteString("status", status);
            WriteTimestamp(w, "publishedAt", publishedAt);
            WriteTimestamp(w, "updatedAt", updatedAt);
            w.WritePropertyName("body");
            WriteBlocks(w, body.RootElement);
            w.WriteString("bodyHtml", BodyHtml.Render(body.RootElement, bodyPhotos));
            w.WritePropertyName("heroPhoto");
            WritePhoto(w, hero);
            w.WriteStartArray("contacts");
            foreach (var c in contacts)
            {
                w.WriteStartObject();
                w.WriteString("id", c.Id);
                w.WriteString("name", c.Name);
                w.WriteString("title", c.Title);
                w.WriteString("organisationalUnit", c.OrganisationalUnit);
                w.WriteString("email", c.Email);
                w.WriteString("phone", c.Phone);
                w.WriteString("phoneDisplay", c.Phone is null ? null : PhoneDisplay.Format(c.Phone));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WritePropertyName("pledge");
            if (pledge is null)
                w.WriteNullValue();
            else
            {
                w.WriteStartObject();
                w.WriteString("id", pledge.Id);
                w.WriteNumber("year", pledge.Year);
                w.WriteString("title", pledge.Title);
                w.WriteString("validFrom", pledge.ValidFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                w.WriteString("validTo", pledge.ValidTo.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                w.WriteEndObject();
            }
            w.WriteStartArray("bodyPhotos");
            foreach (var p in bodyPhotos)
                WritePhoto(w, p);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        await context.Response.BodyWriter.FlushAsync(ct);
    }

    public static async Task ListAsync(NpgsqlDataSource dataSource, HttpContext context, int page, int pageSize)
    {
        var ct = context.RequestAborted;
        if (page < 1 || pageSize is < 1 or > 100)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(CountPublishedSql),
                new NpgsqlBatchCommand(ListSql)
                {
                    Parameters =
                    {
                        new NpgsqlParameter<int> { TypedValue = pageSize },
                        new NpgsqlParameter<int> { TypedValue = (page - 1) * pageSize },
                    },
                },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var total = reader.GetInt32(0);
        await reader.NextResultAsync(ct);

        context.Response.ContentType = "application/json; charset=utf-8";
        await using (var w = new Utf8JsonWriter(context.Response.BodyWriter, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteStartArray("items");
            while (await reader.ReadAsync(ct))
            {
                w.WriteStartObject();
                w.WriteString("id", reader.GetGuid(0));
                w.WriteString("slug", reader.GetString(1));
                w.WriteString("title", reader.GetString(2));
                w.WriteString("lead", reader.GetString(3));
                WriteStrings(w, "tags", reader.GetFieldValue<string[]>(4));
                WriteTimestamp(w, "publishedAt", reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTime>(5));
                WriteTimestamp(w, "updatedAt", reader.GetFieldValue<DateTime>(6));
                w.WritePropertyName("heroPhoto");
                WritePhoto(w, reader.IsDBNull(7) ? null : PhotoRow.Read(reader, 7));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteNumber("page", page);
            w.WriteNumber("pageSize", pageSize);
            w.WriteNumber("totalCount", total);
            if ((long)page * pageSize >= total)
                w.WriteNull("nextPage");
            else
                w.WriteString("nextPage", string.Create(CultureInfo.InvariantCulture,
                    $"{context.Request.PathBase}{context.Request.Path}?page={page + 1}&pageSize={pageSize}"));
            w.WriteEndObject();
        }
        await context.Response.BodyWriter.FlushAsync(ct);
    }

    public static async Task ByTagAsync(NpgsqlDataSource dataSource, HttpContext context, string tag, int top)
    {
        var ct = context.RequestAborted;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(CountTaggedSql) { Parameters = { new NpgsqlParameter<string> { TypedValue = tag } } },
                new NpgsqlBatchCommand(TaggedSql)
                {
                    Parameters =
                    {
                        new NpgsqlParameter<string> { TypedValue = tag },
                        new NpgsqlParameter<int> { TypedValue = Math.Clamp(top, 1, 100) },
                    },
                },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var count = reader.GetInt64(0);
        await reader.NextResultAsync(ct);

        context.Response.ContentType = "application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8";
        await using (var w = new Utf8JsonWriter(context.Response.BodyWriter, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("@odata.context", $"{context.Request.Scheme}://{context.Request.Host}/odata/$metadata#Articles(title,slug,publishedAt)");
            w.WriteNumber("@odata.count", count);
            w.WriteStartArray("value");
            while (await reader.ReadAsync(ct))
            {
                w.WriteStartObject();
                w.WriteString("slug", reader.GetString(0));
                w.WriteString("title", reader.GetString(1));
                WriteTimestamp(w, "publishedAt", reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTime>(2));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        await context.Response.BodyWriter.FlushAsync(ct);
    }

    private static async Task NotFoundAsync(HttpContext context, string detail)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        context.Response.ContentType = "application/problem+json";
        await using var w = new Utf8JsonWriter(context.Response.BodyWriter, WriterOptions);
        w.WriteStartObject();
        w.WriteString("type", "https://tools.ietf.org/html/rfc9110#section-15.5.5");
        w.WriteString("title", "Article not found");
        w.WriteNumber("status", 404);
        w.WriteString("detail", detail);
        w.WriteEndObject();
    }

    // Body blocks are stored as the domain wrote them (PascalCase, nulls included); the API answers in camelCase,
    // in the domain class's property order, without the nulls.
    private static readonly (string Stored, string Json)[] BlockFields =
    [
        ("Type", "type"), ("Text", "text"), ("Level", "level"), ("Attribution", "attribution"), ("Items", "items"),
        ("Ordered", "ordered"), ("Url", "url"), ("PhotoId", "photoId"), ("Caption", "caption"),
    ];

    private static void WriteBlocks(Utf8JsonWriter w, JsonElement blocks)
    {
        w.WriteStartArray();
        foreach (var block in blocks.EnumerateArray())
        {
            w.WriteStartObject();
            foreach (var (stored, json) in BlockFields)
            {
                if (!block.TryGetProperty(stored, out var value) || value.ValueKind == JsonValueKind.Null)
                    continue;
                w.WritePropertyName(json);
                value.WriteTo(w);
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static readonly int[] RenditionWidths = [160, 320, 480, 640, 960, 1280, 1920, 2560];

    private static void WritePhoto(Utf8JsonWriter w, PhotoRow? p)
    {
        if (p is null)
        {
            w.WriteNullValue();
            return;
        }
        w.WriteStartObject();
        w.WriteString("id", p.Id);
        w.WriteString("altText", p.AltText);
        w.WriteBoolean("decorative", p.Decorative);
        w.WriteString("caption", p.Caption);
        w.WriteString("credit", p.Credit);
        w.WriteNumber("width", p.Width);
        w.WriteNumber("height", p.Height);
        w.WriteString("mediaType", p.MediaType);
        w.WriteNumber("byteSize", p.ByteSize);
        w.WriteString("sha256", p.Sha256);
        w.WriteString("dominantColor", p.DominantColor);
        w.WriteNumber("focalX", p.FocalX);
        w.WriteNumber("focalY", p.FocalY);
        WriteTimestamp(w, "updatedAt", p.UpdatedAt);
        w.WriteString("url", $"/api/photos/{p.Id}/file");

        var widths = RenditionWidths.Where(x => x <= p.Width).ToList();
        if (widths.Count == 0) widths.Add(p.Width);
        var version = RenditionVersion(p.Sha256, p.FocalX, p.FocalY);
        var prefix = $"/api/photos/{p.Id}/renditions/{version}/";
        w.WriteStartArray("renditions");
        foreach (var width in widths)
            foreach (var format in (ReadOnlySpan<string>)["webp", "jpg"])
            {
                w.WriteStartObject();
                w.WriteNumber("width", width);
                w.WriteString("format", format);
                w.WriteString("url", $"{prefix}{width}.{format}");
                w.WriteEndObject();
            }
        w.WriteEndArray();
        w.WriteString("srcsetWebp", string.Join(", ", widths.Select(x => $"{prefix}{x}.webp {x}w")));
        w.WriteString("srcsetJpeg", string.Join(", ", widths.Select(x => $"{prefix}{x}.jpg {x}w")));
        w.WriteEndObject();
    }

    /// <summary>Same as the domain's Photo.VersionOf: changes with the file and the focal point.</summary>
    private static string RenditionVersion(string sha256, double focalX, double focalY) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            FormattableString.Invariant($"{sha256}|{focalX:0.####}|{focalY:0.####}"))))[..16];

    private static void WriteStrings(Utf8JsonWriter w, string name, string[] values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    private static void WriteTimestamp(Utf8JsonWriter w, string name, DateTime? value)
    {
        if (value is not { } v)
            w.WriteNull(name);
        else
            w.WriteString(name, v.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
    }

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    internal static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

internal sealed record PhotoRow(
    Guid Id, string AltText, bool Decorative, string? Caption, string? Credit, int Width, int Height, string MediaType,
    long ByteSize, string Sha256, string DominantColor, double FocalX, double FocalY, DateTime UpdatedAt)
{
    public static PhotoRow Read(NpgsqlDataReader r, int o) => new(
        r.GetGuid(o), r.GetString(o + 1), r.GetBoolean(o + 2), r.IsDBNull(o + 3) ? null : r.GetString(o + 3),
        r.IsDBNull(o + 4) ? null : r.GetString(o + 4), r.GetInt32(o + 5), r.GetInt32(o + 6), r.GetString(o + 7),
        r.GetInt64(o + 8), r.GetString(o + 9), r.GetString(o + 10), r.GetDouble(o + 11), r.GetDouble(o + 12),
        r.GetFieldValue<DateTime>(o + 13));
}

internal sealed record PledgeRow(Guid Id, int Year, string Title, DateOnly ValidFrom, DateOnly ValidTo);

internal sealed record ContactRow(Guid Id, string Name, string? Title, string? OrganisationalUnit, string? Email, string? Phone);

/// <summary>The API's bodyHtml, rendered the same way: every piece of text HTML-encoded, only http(s)/mailto links.</summary>
internal static class BodyHtml
{
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    public static string Render(JsonElement blocks, List<PhotoRow> photos)
    {
        var html = new StringBuilder();
        foreach (var block in blocks.EnumerateArray())
        {
            var text = Articles.Str(block, "Text");
            switch (Articles.Str(block, "Type"))
            {
                case "Paragraph":
                    html.Append("<p>").Append(Encode(text)).Append("</p>\n");
                    break;
                case "Heading":
                    var level = block.TryGetProperty("Level", out var l) && l.ValueKind == JsonValueKind.Number ? Math.Clamp(l.GetInt32(), 2, 4) : 2;
                    html.Append("<h").Append(level).Append('>').Append(Encode(text)).Append("</h").Append(level).Append(">\n");
                    break;
                case "Quote":
                    html.Append("<blockquote><p>").Append(Encode(text)).Append("</p>");
                    var attribution = Articles.Str(block, "Attribution");
                    if (!string.IsNullOrWhiteSpace(attribution))
                        html.Append("<footer>").Append(Encode(attribution)).Append("</footer>");
                    html.Append("</blockquote>\n");
                    break;
                case "List":
                    var tag = block.TryGetProperty("Ordered", out var o) && o.ValueKind == JsonValueKind.True ? "ol" : "ul";
                    html.Append('<').Append(tag).Append('>');
                    if (block.TryGetProperty("Items", out var items) && items.ValueKind == JsonValueKind.Array)
                        foreach (var item in items.EnumerateArray())
                            html.Append("<li>").Append(Encode(item.GetString())).Append("</li>");
                    html.Append("</").Append(tag).Append(">\n");
                    break;
                case "Link":
                    var url = Articles.Str(block, "Url");
                    if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "mailto")
                        html.Append("<p><a href=\"").Append(Encode(url)).Append("\">")
                            .Append(Encode(string.IsNullOrWhiteSpace(text) ? url : text)).Append("</a></p>\n");
                    break;
                case "Image":
                    var id = block.TryGetProperty("PhotoId", out var pid) && pid.ValueKind == JsonValueKind.String ? pid.GetGuid() : Guid.Empty;
                    var photo = photos.Find(p => p.Id == id);
                    if (photo is null)
                        break;
                    html.Append("<figure><img src=\"").Append(Encode($"/api/photos/{photo.Id}/file")).Append("\" alt=\"")
                        .Append(Encode(photo.Decorative ? "" : photo.AltText)).Append("\" width=\"").Append(photo.Width)
                        .Append("\" height=\"").Append(photo.Height).Append("\" loading=\"lazy\">");
                    var caption = Articles.Str(block, "Caption") ?? photo.Caption;
                    if (!string.IsNullOrWhiteSpace(caption) || !string.IsNullOrWhiteSpace(photo.Credit))
                    {
                        html.Append("<figcaption>").Append(Encode(caption));
                        if (!string.IsNullOrWhiteSpace(photo.Credit))
                            html.Append(" <small>").Append(Encode(photo.Credit)).Append("</small>");
                        html.Append("</figcaption>");
                    }
                    html.Append("</figure>\n");
                    break;
            }
        }
        return html.ToString();
    }

    private static string Encode(string? text) => Encoder.Encode(text ?? "");
}

/// <summary>Same as the domain's PhoneNumber.ToSwedishDisplay: "+46456816220" → "0456-81 62 20".</summary>
internal static class PhoneDisplay
{
    private static readonly string[] OneDigitAreas = ["8"];
    private static readonly string[] TwoDigitAreas =
        ["11", "13", "16", "18", "19", "21", "23", "26", "31", "33", "35", "36", "40", "42", "44", "46", "54", "60", "63", "90",
         "70", "72", "73", "76", "79"];

    public static string Format(string e164)
    {
        if (!(e164.StartsWith("+46", StringComparison.Ordinal) && e164.Length is >= 10 and <= 12 && e164[1..].All(char.IsAsciiDigit)))
            return e164;
        var national = e164[3..];
        var areaLength = OneDigitAreas.Any(a => national.StartsWith(a, StringComparison.Ordinal)) ? 1
            : TwoDigitAreas.Any(a => national.StartsWith(a, StringComparison.Ordinal)) ? 2
            : 3;
        var area = national[..areaLength];
        var s = national[areaLength..];
        var grouped = s.Length switch
        {
            5 => $"{s[..3]} {s[3..]}",
            6 => $"{s[..2]} {s[2..4]} {s[4..]}",
            7 => $"{s[..3]} {s[3..5]} {s[5..]}",
            8 => $"{s[..3]} {s[3..6]} {s[6..]}",
            _ => s,
        };
        return $"0{area}-{grouped}";
    }
}
