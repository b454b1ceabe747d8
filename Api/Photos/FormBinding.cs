using System.Text.Json;
using System.Text.Json.Nodes;
using ContentApi.Domain;

namespace ContentApi.Api.Photos;

/// <summary>
/// Binds the text fields of a form to the same input record a JSON body binds to, with the same JSON options: a field
/// is named like the JSON property (<c>altText</c>, <c>focalX</c>) and holds what the JSON value would be (<c>true</c>,
/// <c>0.3</c>; text as it is). So a form and a JSON body follow one set of rules.
/// </summary>
public static class FormBinding
{
    /// <summary>The bound record, or null with <paramref name="errors"/> naming each field whose value is not of its type.</summary>
    public static T? Bind<T>(IReadOnlyDictionary<string, string> fields, JsonSerializerOptions options, out ValidationErrors errors) where T : class
    {
        errors = new ValidationErrors();
        var body = new JsonObject();
        foreach (var property in options.GetTypeInfo(typeof(T)).Properties)
        {
            if (!fields.TryGetValue(property.Name, out var text))
                continue;
            var value = property.PropertyType == typeof(string) ? JsonValue.Create(text) : ParseValue(text);
            if (value is null || !Fits(value, property.PropertyType, options))
                errors.Add(property.Name, $"{property.Name} is {Expected(property.PropertyType)}; '{text}' is not.");
            else
                body[property.Name] = value;
        }
        return errors.IsEmpty ? body.Deserialize<T>(options) : null;
    }

    private static JsonNode? ParseValue(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool Fits(JsonNode value, Type type, JsonSerializerOptions options)
    {
        try
        {
            value.Deserialize(type, options);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Expected(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(bool) => "true or false",
        var t when t == typeof(double) || t == typeof(int) || t == typeof(long) || t == typeof(decimal) => "a number",
        var t => $"a {t.Name}",
    };
}
