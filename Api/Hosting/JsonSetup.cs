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
        // A body block carries only the fields of its kind: a paragraph has no url, an image no text.
        options.TypeInfoResolver = (options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver())
            .WithAddedModifier(info =>
            {
                if (info.Type != typeof(Block))
                    return;
                foreach (var property in info.Properties)
                    property.ShouldSerialize = (_, value) => value is not null;
            });
    }
}

/// <summary>Writes every timestamp in UTC with a Z, as OData does: "2024-02-12T09:00:00Z".</summary>
public sealed class UtcDateTimeOffsetConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().ToUniversalTime();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture));
}
