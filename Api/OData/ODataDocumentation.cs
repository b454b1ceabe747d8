using System.Text.Json.Serialization;

namespace ContentApi.Api.OData;

/// <summary>The shape of an OData collection response, for the OpenAPI document.</summary>
public class ODataCollection<T>
{
    [JsonPropertyName("@odata.context")]
    public string? Context { get; set; }

    /// <summary>The total number of matches, with <c>$count=true</c>.</summary>
    [JsonPropertyName("@odata.count")]
    public long? Count { get; set; }

    public List<T> Value { get; set; } = [];

    /// <summary>
    /// The next page, when the server cut the result short (at most 100 per page). It continues after this page's last
    /// item (<c>$skiptoken</c>) when the order is by the entity's own properties that cannot be null in what the caller
    /// sees (for anonymous readers that includes publishedAt), else counts items (<c>$skip</c>).
    /// </summary>
    [JsonPropertyName("@odata.nextLink")]
    public string? NextLink { get; set; }
}
