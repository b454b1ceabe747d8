using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace ContentApi.Tests.Support;

/// <summary>Small helpers for editorial requests: JSON bodies, If-Match, reading answers.</summary>
public static class EditorClient
{
    public static async Task<(HttpResponseMessage Response, JsonNode? Json)> SendJson(this HttpClient client, HttpMethod method, string url,
        object? body = null, string? ifMatch = null, string mediaType = "application/json")
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
            request.Content = body is string text
                ? new StringContent(text, Encoding.UTF8, mediaType)
                : JsonContent.Create(body, new MediaTypeHeaderValue(mediaType));
        if (ifMatch is not null)
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        var response = await client.SendAsync(request);
        var content = await response.Content.ReadAsStringAsync();
        return (response, content.Length > 0 && content.TrimStart().StartsWith('{') || content.TrimStart().StartsWith('[') ? JsonNode.Parse(content) : null);
    }

    public static string? ETag(this HttpResponseMessage response) => response.Headers.ETag?.Tag;
}
