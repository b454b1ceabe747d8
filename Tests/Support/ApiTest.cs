using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

using ContentApi.Tests;

namespace ContentApi.Tests.Support;

/// <summary>Base of the HTTP tests: a clean database before each test and helpers to read answers.</summary>
public abstract class ApiTest
{
    protected static HttpClient Client => TestRun.Client;

    [SetUp]
    public Task ResetDatabase() => TestRun.ResetAsync();

    /// <summary>Empties the server's store of answers, so the next read runs its endpoint.</summary>
    protected static void ForgetStoredAnswers() =>
        DeliverySupport.Store.Clear();

    protected static Task<JsonNode> GetJson(string url, HttpStatusCode expected = HttpStatusCode.OK, bool forget = false) =>
        GetJson(Client, url, expected, forget);

    /// <summary>GET with the given client (an editor's, say), asserting the status.</summary>
    protected static async Task<JsonNode> GetJson(HttpClient client, string url, HttpStatusCode expected = HttpStatusCode.OK, bool forget = false)
    {
        if (forget)
            ForgetStoredAnswers();
        using var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), $"GET {url} answered: {body}");
        return JsonNode.Parse(body)!;
    }

    /// <summary>Asserts an RFC 9457 problem with the status, and returns its detail.</summary>
    protected static async Task<string> GetProblem(string url, HttpStatusCode expected)
    {
        using var response = await Client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), $"GET {url} answered: {body}");
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), body);
        var problem = JsonNode.Parse(body)!;
        Assert.That((int?)problem["status"], Is.EqualTo((int)expected));
        var detail = (string?)problem["detail"];
        Assert.That(detail, Is.Not.Null.And.Not.Empty, $"The problem says what was wrong: {body}");
        return detail!;
    }

    protected static List<string?> Strings(JsonNode? array, string property) =>
        array!.AsArray().Select(item => (string?)item![property]).ToList();

    protected static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    protected static Task<T?> Read<T>(HttpResponseMessage response) => response.Content.ReadFromJsonAsync<T>(Json);
}
