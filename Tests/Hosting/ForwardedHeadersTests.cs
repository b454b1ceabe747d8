using System.Net;
using System.Text.Json.Nodes;
using ContentApi.Api.Auth;
using ContentApi.Tests.Editorial;
using ContentApi.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Hosting;

/// <summary>
/// X-Forwarded-For and X-Forwarded-Proto count only from a trusted proxy. The tests connect from loopback, which the
/// default trusts; a host that trusts another proxy only shows them ignored.
/// </summary>
public class ForwardedHeadersTests : ApiTest
{
    private static async Task<string> ODataContextAsync(HttpClient client, string? proto)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/odata/Articles?$select=title");
        if (proto is not null)
            request.Headers.Add("X-Forwarded-Proto", proto);
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        return (string)JsonNode.Parse(body)!["@odata.context"]!;
    }

    private static async Task RefuseFromAsync(HttpClient client, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/contacts");
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        request.Headers.Add(ApiKeyAuthenticationHandler.Header, "cak_forwarded");
        using var response = await client.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    private static async Task<string?> AuditedAddressAsync(IServiceProvider services)
    {
        await services.GetRequiredService<FailedAuthentications>().FlushAsync();
        await using var db = TestRun.Factory.CreateDbContext();
        return (await db.AuditEntries.SingleAsync(e => e.Action == "auth.failed")).Address;
    }

    [Test]
    public async Task ATrustedProxySetsTheClientAddressAndTheSchemeOfLinks()
    {
        await SaveAsync(Article("Bakom proxyn"));
        Assert.That(await ODataContextAsync(Client, "https"), Does.StartWith("https://"));
        Assert.That(await ODataContextAsync(Client, null), Does.StartWith("http://"), "the https answer is stored apart from the http one");

        await RefuseFromAsync(Client, "203.0.113.50");
        Assert.That(await AuditedAddressAsync(TestRun.Factory.Services), Is.EqualTo("203.0.113.50"));
    }

    [Test]
    public async Task AnUntrustedSenderCannotChangeTheClientAddressOrTheScheme()
    {
        await SaveAsync(Article("Förfalskad"));
        await using var host = new ContentApiFactory(TestRun.ConnectionString, TestRun.PhotoFolder, settings: new Dictionary<string, string?>
        {
            ["ForwardedHeaders:KnownProxies:0"] = "10.20.30.40",
            ["ForwardedHeaders:KnownNetworks:0"] = "192.168.0.0/16",
        });
        host.UseKestrel(0);
        using var client = host.CreateClient();

        Assert.That(await ODataContextAsync(client, "https"), Does.StartWith("http://"));
        await RefuseFromAsync(client, "203.0.113.50");
        Assert.That(await AuditedAddressAsync(host.Services), Is.AnyOf("127.0.0.1", "::1", "::ffff:127.0.0.1"));
    }

    [Test]
    public void AProxyNetworkThatIsNotCidrIsRefusedAtStartup() =>
        Assert.That(ContentApiFactory.StartupError("ForwardedHeaders:KnownNetworks:0", "10.0.0.0"), Does.Contain("CIDR"));
}
