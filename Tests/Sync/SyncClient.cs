using System.Net;
using System.Text.Json.Nodes;
using NUnit.Framework;

namespace ContentApi.Tests.Sync;

/// <summary>An app's offline copy, kept as the README says: "Kind:id" → the item's JSON.</summary>
public sealed class SyncCopy
{
    public Dictionary<string, string> Items { get; } = [];
    public string? Token { get; private set; }
    public int Pages { get; private set; }

    /// <summary>An initial sync (no token) or a delta (the token kept), every page applied, until hasMore is false.</summary>
    public async Task SyncAsync(HttpClient client, int pageSize = 100)
    {
        do
            await PageAsync(client, pageSize);
        while (_hasMore);
    }

    private bool _hasMore;

    /// <summary>One page applied; its JSON.</summary>
    public async Task<JsonNode> PageAsync(HttpClient client, int pageSize = 100)
    {
        var url = $"/api/sync?pageSize={pageSize}" + (Token is null ? "" : $"&token={Token}");
        using var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{url}: {text}");
        var page = JsonNode.Parse(text)!;
        foreach (var removal in page["removed"]!.AsArray())
            Items.Remove($"{removal!["kind"]}:{removal["id"]}");
        foreach (var item in page["items"]!.AsArray())
            Items[$"{item!["kind"]}:{item["id"]}"] = item.ToJsonString();
        Token = (string)page["nextSyncToken"]!;
        _hasMore = (bool)page["hasMore"]!;
        Pages++;
        return page;
    }

    public static async Task<SyncCopy> InitialAsync(HttpClient client, int pageSize = 100)
    {
        var copy = new SyncCopy();
        await copy.SyncAsync(client, pageSize);
        return copy;
    }
}
