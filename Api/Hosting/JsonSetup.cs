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
        // Enum values by name, spelled as in OData ("Published", "InProgress"), so both faces of the API agree.
        options.Converters.Add(new JsonStringEnumConverter());
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
