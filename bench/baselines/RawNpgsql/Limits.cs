using System.Text.Json;
using Npgsql;

namespace Bench.RawNpgsql;

/// <summary>
/// The database's limit (issue 13): the cheapest request that answers the question, prepared, beside the handlers that
/// do the API's whole work by hand. Nothing is rendered: the columns go out as they come.
/// </summary>
internal static class Limits
{
    private const string ByIdSql =
        "select id, slug, title, lead, tags, published_at, updated_at, body::text from articles " +
        "where id = $1 and status = 'Published'";

    private const string TagThreeColumnsSql =
        "select slug, title, published_at from articles " +
        "where status = 'Published' and tags @> array[$1]::text[] " +
        "order by published_at desc, id desc limit $2";

    public static async Task ByIdAsync(NpgsqlDataSource dataSource, HttpContext context, Guid id)
    {
        var ct = context.RequestAborted;
        await using var command = dataSource.CreateCommand(ByIdSql);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            await Articles.NotFoundAsync(context, $"There is no published article with id {id}.");
            return;
        }
        context.Response.ContentType = "application/json; charset=utf-8";
        await using (var w = new Utf8JsonWriter(context.Response.BodyWriter, Articles.WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("id", reader.GetGuid(0));
            w.WriteString("slug", reader.GetString(1));
            w.WriteString("title", reader.GetString(2));
            w.WriteString("lead", reader.GetString(3));
            Articles.WriteStrings(w, "tags", reader.GetFieldValue<string[]>(4));
            Articles.WriteTimestamp(w, "publishedAt", reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5));
            Articles.WriteTimestamp(w, "updatedAt", reader.GetFieldValue<DateTimeOffset>(6));
            w.WritePropertyName("body");
            w.WriteRawValue(reader.GetString(7), skipInputValidation: true);
            w.WriteEndObject();
        }
        await context.Response.BodyWriter.FlushAsync(ct);
    }

    public static async Task TagThreeColumnsAsync(NpgsqlDataSource dataSource, HttpContext context, string tag, int top)
    {
        var ct = context.RequestAborted;
        await using var command = dataSource.CreateCommand(TagThreeColumnsSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = tag });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Math.Clamp(top, 1, 100) });
        await using var reader = await command.ExecuteReaderAsync(ct);
        context.Response.ContentType = "application/json; charset=utf-8";
        await using (var w = new Utf8JsonWriter(context.Response.BodyWriter, Articles.WriterOptions))
        {
            w.WriteStartObject();
            await Articles.WriteTagRowsAsync(w, reader, ct);
            w.WriteEndObject();
        }
        await context.Response.BodyWriter.FlushAsync(ct);
    }
}
