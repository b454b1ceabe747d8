using System.Text.Json;
using System.Text.Json.Nodes;

namespace ContentApi.Api.Editorial;

/// <summary>JSON Merge Patch (RFC 7396): send only the fields to change; null removes a field.</summary>
public static class MergePatch
{
    public const string MediaType = "application/merge-patch+json";

    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
            return patch?.DeepClone();
        var result = target as JsonObject is { } obj ? (JsonObject)obj.DeepClone() : new JsonObject();
        foreach (var (name, value) in patchObject)
        {
            // Property names compare as the API writes them (camelCase), whatever case the client used.
            var key = result.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase)) ?? name;
            if (value is null)
                result.Remove(key);
            else
                result[key] = Apply(result[key], value);
        }
        return result;
    }

    /// <summary>Reads the request body as a merge patch; null with a problem when it is not a JSON object.</summary>
    public static async Task<(JsonObject? Patch, string? Error)> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        try
        {
            // {"title": "a", "title": "b"}: which one was meant? Refused, as RFC 8259 leaves it undefined.
            var node = await JsonNode.ParseAsync(request.Body,
                documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }, cancellationToken: ct);
            return node is JsonObject patch ? (patch, null) : (null, "A merge patch is a JSON object of the fields to change.");
        }
        catch (JsonException e)
        {
            return (null, $"The body is not valid JSON: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            // A property name that is not valid Unicode ({"\ud800x": 1}), met while duplicates are looked for.
            return (null, $"The patch holds text that is not valid Unicode: {e.Message}");
        }
    }

    /// <summary>The current state with the patch applied, read back as <typeparamref name="T"/>.</summary>
    public static (T? Value, string? Error) Merge<T>(T current, JsonObject patch)
    {
        try
        {
            var merged = Apply(JsonSerializer.SerializeToNode(current, RevisionLog.Json), patch);
            return (merged.Deserialize<T>(RevisionLog.Json), null);
        }
        catch (JsonException e)
        {
            return (default, $"The patched item is not valid: {e.Message}");
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // Text that is not valid Unicode, such as a lone surrogate ("\ud800").
            return (default, $"The patch holds text that is not valid Unicode: {e.Message}");
        }
    }
}
