// Baseline (b) of bench/run.sh: what the API's read paths cost when written by hand with raw Npgsql
// (NpgsqlDataSource with prepared statements, positional parameters, one round trip per request through NpgsqlBatch,
// Utf8JsonWriter straight into the response) against the same database. It produces the same JSON documents as the API (same fields, same
// order, body blocks in camelCase without nulls, bodyHtml, rendition addresses, phoneDisplay), so a ratio between the
// two measures the API's machinery (EF Core, its visibility filters, OData, DTOs), not a difference in output.
//
//   GET /api/articles/by-slug/{slug}      = GET /api/articles/by-slug/{slug} of the API
//   GET /api/articles?page=N&pageSize=20  = GET /api/articles?page=N&pageSize=20 of the API
//   GET /api/articles?tag=T&pageSize=20   = GET /api/articles?tag=T&pageSize=20 of the API (20 newest by tag + total)
//   GET /raw/articles-by-tag/{tag}?top=20 ~ GET /odata/Articles?$filter=tags/any(t:t eq '{tag}')&$orderby=publishedAt desc
//                                            &$top=20&$select=title,slug,publishedAt&$count=true
// and two that are "the database's limit" rather than the same work (issue 13's baselines):
//   GET /raw/articles/{id}                one article by primary key: one cheap `select ... where id = $1`, its columns
//                                         as JSON (the body as stored), nothing rendered
//   GET /raw/tag-3/{tag}?top=20           the 3-column tag list (slug, title, published_at) without a count
//
// Every statement is prepared (Max Auto Prepare on the data source unless the connection string sets it): each is one
// of a handful of fixed texts, so after a few uses PostgreSQL does not parse it again (and plans it again only where
// its generic plan looks worse than a custom one), and connections are not reset on their way back to the pool.
//
// Deliberate differences: hand-written SQL knows that the hero photo and the contacts of a published article are
// visible, so it does not repeat the EF Core query filters of photos and contacts (EXISTS over articles/pledges).
//
// What is not SQL or JSON writing is the product's own code, referenced, not copied: the body's HTML (BodyHtml), the
// body blocks' JSON (JsonSetup), photo and rendition addresses (PhotoDto), phone display (PhoneNumber), timestamps
// (UtcDateTimeOffsetConverter). Every query is raw Npgsql: nothing here goes through EF Core.
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using ContentApi.Api.Articles;
using ContentApi.Api.Hosting;
using ContentApi.Api.Photos;
using ContentApi.Domain;
using Npgsql;

namespace Bench.RawNpgsql;

// A class of its own rather than top-level statements: the API it references has a global Program class.
internal static class Program
{
    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        // Over the API's appsettings.json, which comes with the reference: warnings and errors only.
        builder.Logging.AddFilter(level => level >= LogLevel.Warning);
        var connectionString = builder.Configuration.GetConnectionString("ContentDb")
            ?? throw new InvalidOperationException("Set ConnectionStrings__ContentDb.");
        var dataSourceBuilder = new NpgsqlDataSourceBuilder(connectionString);
        if (dataSourceBuilder.ConnectionStringBuilder.MaxAutoPrepare == 0)
            dataSourceBuilder.ConnectionStringBuilder.MaxAutoPrepare = 32;
        // Nothing here leaves session state behind: no reset statements when a connection goes back to the pool
        // (with prepared statements Npgsql's reset is six statements instead of DISCARD ALL).
        dataSourceBuilder.ConnectionStringBuilder.NoResetOnClose = true;
        await using var dataSource = dataSourceBuilder.Build();
        var app = builder.Build();

        app.MapGet("/api/articles/by-slug/{slug}", (HttpContext context, string slug) =>
            Articles.BySlugAsync(dataSource, context, slug));
        app.MapGet("/api/articles", (HttpContext context, int? page, int? pageSize, string? tag) =>
            Articles.ListAsync(dataSource, context, page ?? 1, pageSize ?? 20, tag));
        app.MapGet("/raw/articles-by-tag/{tag}", (HttpContext context, string tag, int? top) =>
            Articles.ByTagAsync(dataSource, context, tag, top ?? 20));
        app.MapGet("/raw/articles/{id:guid}", (HttpContext context, Guid id) => Limits.ByIdAsync(dataSource, context, id));
        app.MapGet("/raw/tag-3/{tag}", (HttpContext context, string tag, int? top) =>
            Limits.TagThreeColumnsAsync(dataSource, context, tag, top ?? 20));
        app.MapGet("/health", async () =>
        {
            await using var command = dataSource.CreateCommand("select 1");
            await command.ExecuteScalarAsync();
            return Results.Text("ok");
        });
        await app.RunAsync();
    }
}

internal static class Articles
{
    private const string PhotoColumns =
        "p.id, p.alt_text, p.decorative, p.caption, p.credit, p.width, p.height, p.media_type, p.byte_size, p.sha256, " +
        "p.dominant_color, p.focal_x, p.focal_y, p.updated_at";

    private const string ArticleBySlugSql =
        "select a.id, a.slug, a.title, a.lead, a.tags, a.status, a.published_at, a.updated_at, a.body::text, " +
        PhotoColumns + ", pl.id, pl.year, pl.title, pl.valid_from, pl.valid_to, a.summary " +
        "from articles a " +
        "left join photos p on p.id = a.hero_photo_id " +
        "left join pledges pl on pl.id = a.pledge_id and pl.status = 'Published' " +
        "where a.slug = $1 and a.status = 'Published'";

    private const string ContactsBySlugSql =
        "select c.id, c.name, c.title, c.organisational_unit, c.email, c.phone, c.updated_at " +
        "from articles a " +
        "join article_contacts ac on ac.article_id = a.id " +
        "join contacts c on c.id = ac.contact_id " +
        "where a.slug = $1 and a.status = 'Published' " +
        "order by c.name";

    private const string PhotosByIdSql = "select " + PhotoColumns + " from photos p where p.id = any($1)";

    // The count the saving transaction keeps (migration PublishedCounts), as the API reads it.
    private const string CountPublishedSql =
        "select coalesce((select count from published_counts where content_type = 'articles' and tag = ''), 0)";

    private const string ListSql =
        "select a.id, a.slug, a.title, a.lead, a.tags, a.published_at, a.updated_at, " + PhotoColumns + ", a.summary " +
        "from (select id, slug, title, lead, tags, published_at, updated_at, hero_photo_id, summary from articles " +
        "      where status = 'Published' order by published_at desc, id desc limit $1 offset $2) a " +
        "left join photos p on p.id = a.hero_photo_id " +
        "order by a.published_at desc, a.id desc";

    private const string ListTaggedSql =
        "select a.id, a.slug, a.title, a.lead, a.tags, a.published_at, a.updated_at, " + PhotoColumns + ", a.summary " +
        "from (select id, slug, title, lead, tags, published_at, updated_at, hero_photo_id, summary from articles " +
        "      where status = 'Published' and tags @> array[$3]::text[] " +
        "      order by published_at desc, id desc limit $1 offset $2) a " +
        "left join photos p on p.id = a.hero_photo_id " +
        "order by a.published_at desc, a.id desc";

    private const string CountTaggedSql =
        "select coalesce((select count from published_counts where content_type = 'articles' and tag = $1), 0)";

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
        DateTimeOffset? publishedAt = reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6);
        var updatedAt = reader.GetFieldValue<DateTimeOffset>(7);
        var bodyJson = reader.GetString(8);
        var hero = reader.IsDBNull(9) ? null : PhotoRow.Read(reader, 9);
        PledgeRow? pledge = reader.IsDBNull(23) ? null : new PledgeRow(reader.GetGuid(23), reader.GetInt32(24),
            reader.GetString(25), reader.GetFieldValue<DateOnly>(26), reader.GetFieldValue<DateOnly>(27));
        var summary = NullableString(reader, 28);
        await reader.NextResultAsync(ct);
        var contacts = new List<ContactRow>();
        while (await reader.ReadAsync(ct))
            contacts.Add(new ContactRow(reader.GetGuid(0), reader.GetString(1), NullableString(reader, 2),
                NullableString(reader, 3), NullableString(reader, 4), NullableString(reader, 5),
                reader.GetFieldValue<DateTimeOffset>(6)));
        await reader.DisposeAsync();

        var body = JsonSerializer.Deserialize<List<Block>>(bodyJson, StoredJson) ?? [];
        var imageIds = body.Where(b => b.Type == BlockType.Image).Select(b => b.PhotoId).OfType<Guid>().Distinct().ToArray();
        var bodyPhotos = new List<PhotoDto>();
        if (imageIds.Length > 0)
        {
            await using var command = new NpgsqlCommand(PhotosByIdSql, connection)
            {
                Parameters = { new NpgsqlParameter<Guid[]> { TypedValue = imageIds } },
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
            w.WriteString("summary", summary);
            WriteStrings(w, "tags", tags);
            w.WriteString("status", status);
            WriteTimestamp(w, "publishedAt", publishedAt);
            WriteTimestamp(w, "updatedAt", updatedAt);
            w.WritePropertyName("body");
            JsonSerializer.Serialize(w, body, ApiJson);
            w.WriteString("bodyHtml", BodyHtml.Render(body, bodyPhotos.ToDictionary(p => p.Id)));
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
                WriteTimestamp(w, "updatedAt", c.UpdatedAt);
                w.WriteString("phoneDisplay", c.Phone is null ? null : PhoneNumber.ToSwedishDisplay(c.Phone));
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

    public static async Task ListAsync(NpgsqlDataSource dataSource, HttpContext context, int page, int pageSize, string? tag)
    {
        var ct = context.RequestAborted;
        if (page < 1 || pageSize is < 1 or > 100)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var count = new NpgsqlBatchCommand(tag is null ? CountPublishedSql : CountTaggedSql);
        var list = new NpgsqlBatchCommand(tag is null ? ListSql : ListTaggedSql)
        {
            Parameters =
            {
                new NpgsqlParameter<int> { TypedValue = pageSize },
                new NpgsqlParameter<int> { TypedValue = (page - 1) * pageSize },
            },
        };
        if (tag is not null)
        {
            count.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tag });
            list.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tag });
        }
        await using var batch = new NpgsqlBatch(connection) { BatchCommands = { count, list } };
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var total = (int)reader.GetInt64(0);
        await reader.NextResultAsync(ct);

        context.Response.ContentType = "application/json; charset=utf-8";
        await using (var w = new Utf8JsonWriter(context.Response.BodyWriter, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteStartArray("items");
            (Guid Id, DateTimeOffset? PublishedAt) last = default;
            while (await reader.ReadAsync(ct))
            {
                last = (reader.GetGuid(0), reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5));
                w.WriteStartObject();
                w.WriteString("id", reader.GetGuid(0));
                w.WriteString("slug", reader.GetString(1));
                w.WriteString("title", reader.GetString(2));
                w.WriteString("lead", reader.GetString(3));
                w.WriteString("summary", NullableString(reader, 21));
                WriteStrings(w, "tags", reader.GetFieldValue<string[]>(4));
                WriteTimestamp(w, "publishedAt", reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5));
                WriteTimestamp(w, "updatedAt", reader.GetFieldValue<DateTimeOffset>(6));
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
            {
                // The API's next page continues after the last item (ArticleCursor), keeping the other parameters.
                var query = context.Request.Query
                    .Where(q => !q.Key.Equals("page", StringComparison.OrdinalIgnoreCase) && !q.Key.Equals("cursor", StringComparison.OrdinalIgnoreCase))
                    .ToDictionary(q => q.Key, q => q.Value, StringComparer.OrdinalIgnoreCase);
                query["cursor"] = new ArticleCursor(page + 1, last.PublishedAt, last.Id).Encode();
                w.WriteString("nextPage", context.Request.PathBase + context.Request.Path + QueryString.Create(query));
            }
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
            await WriteTagRowsAsync(w, reader, ct);
            w.WriteEndObject();
        }
        await context.Response.BodyWriter.FlushAsync(ct);
    }

    /// <summary>"value": the rows of (slug, title, published_at) as OData answers them for $select=title,slug,publishedAt.</summary>
    public static async Task WriteTagRowsAsync(Utf8JsonWriter w, NpgsqlDataReader reader, CancellationToken ct)
    {
        w.WriteStartArray("value");
        while (await reader.ReadAsync(ct))
        {
            w.WriteStartObject();
            w.WriteString("slug", reader.GetString(0));
            w.WriteString("title", reader.GetString(1));
            WriteTimestamp(w, "publishedAt", reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2));
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    public static async Task NotFoundAsync(HttpContext context, string detail)
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

    // Body blocks are stored as the domain wrote them (PascalCase, enums by name); the API answers them through its
    // own JSON set-up (camelCase, without the nulls), which is used here as it is.
    private static readonly JsonSerializerOptions StoredJson = new() { Converters = { new JsonStringEnumConverter() } };

    private static readonly JsonSerializerOptions ApiJson = ApiJsonOptions();

    private static JsonSerializerOptions ApiJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        JsonSetup.Configure(options);
        return options;
    }

    private static void WritePhoto(Utf8JsonWriter w, PhotoDto? p)
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
        w.WriteString("url", p.Url);
        w.WriteStartArray("renditions");
        foreach (var rendition in p.Renditions)
        {
            w.WriteStartObject();
            w.WriteNumber("width", rendition.Width);
            w.WriteString("format", rendition.Format);
            w.WriteString("url", rendition.Url);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("srcsetWebp", p.SrcsetWebp);
        w.WriteString("srcsetJpeg", p.SrcsetJpeg);
        w.WriteEndObject();
    }

    public static void WriteStrings(Utf8JsonWriter w, string name, string[] values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }

    public static void WriteTimestamp(Utf8JsonWriter w, string name, DateTimeOffset? value)
    {
        if (value is { } v)
            w.WriteString(name, UtcDateTimeOffsetConverter.Format(v));
        else
            w.WriteNull(name);
    }

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}

internal static class PhotoRow
{
    /// <summary>The product's PhotoDto (its file and rendition addresses, srcset strings) from 14 columns at <paramref name="o"/>.</summary>
    public static PhotoDto Read(NpgsqlDataReader r, int o) => new(
        r.GetGuid(o), r.GetString(o + 1), r.GetBoolean(o + 2), r.IsDBNull(o + 3) ? null : r.GetString(o + 3),
        r.IsDBNull(o + 4) ? null : r.GetString(o + 4), r.GetInt32(o + 5), r.GetInt32(o + 6), r.GetString(o + 7),
        r.GetInt64(o + 8), r.GetString(o + 9), r.GetString(o + 10), r.GetDouble(o + 11), r.GetDouble(o + 12),
        r.GetFieldValue<DateTimeOffset>(o + 13));
}

internal sealed record PledgeRow(Guid Id, int Year, string Title, DateOnly ValidFrom, DateOnly ValidTo);

internal sealed record ContactRow(
    Guid Id, string Name, string? Title, string? OrganisationalUnit, string? Email, string? Phone, DateTimeOffset UpdatedAt);
