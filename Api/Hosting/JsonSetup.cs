using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ContentApi.Domain;

namespace ContentApi.Api.Hosting;

public static class JsonSetup
{
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        // {"title": null} where a title cannot be null is a 400 that names the property, not a failure further in.
        // (Nulls inside lists, such as "body": [null], are caught by the content's validation.)
        options.RespectNullableAnnotations = true;
        // Enum values by name, spelled as in OData ("Published", "InProgress"), so both faces of the API agree.
        // Names only: a number (“"status": 99”) would store a value that has no name.
        options.Converters.Add(new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false));
        options.Converters.Add(new UtcDateTimeOffsetConverter());
        // The REST answers' contracts come from the compiler (WireJson); anything else by reflection.
        // A body block carries only the fields of its kind: a paragraph has no url, an image no text.
        options.TypeInfoResolver = JsonTypeInfoResolver.Combine(WireJson.Default, options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver())
            .WithAddedModifier(info =>
            {
                if (info.Type != typeof(Block))
                    return;
                foreach (var property in info.Properties)
                    property.ShouldSerialize = (_, value) => value is not null;
            });
    }
}

/// <summary>
/// Writes every timestamp in UTC with a Z, as OData does ("2024-02-12T09:00:00Z"), to the microsecond: PostgreSQL keeps
/// microseconds, so an answer to a write (made from the values in memory, with .NET's 100 ns ticks) shows the same
/// timestamp as every later read of what was saved.
/// </summary>
public sealed class UtcDateTimeOffsetConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().ToUniversalTime();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Format(value));

    /// <summary>The wire form of a timestamp; Npgsql drops the ticks below a microsecond when it saves one, so does this.</summary>
    public static string Format(DateTimeOffset value)
    {
        var utc = value.UtcDateTime;
        return utc.AddTicks(-(utc.Ticks % TimeSpan.TicksPerMicrosecond))
            .ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture);
    }
}
