using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ContentApi.Tests.Support;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using static ContentApi.Tests.Support.HeaderSupport;

namespace ContentApi.Tests.Hosting;

/// <summary>
/// A deployment that terminates TLS itself (<c>Https:Redirect</c>, <c>Https:Hsts</c>): plain HTTP is redirected, HTTPS
/// answers carry Strict-Transport-Security. Both are off by default (the shared test server answers plain HTTP).
/// </summary>
public class HttpsTests : ApiTest
{
    private static OwnApi _api = null!;
    private static Uri _http = null!;
    private static Uri _https = null!;

    [OneTimeSetUp]
    public static void Start()
    {
        _api = new OwnApi(new Dictionary<string, string?>
        {
            ["Https:Redirect"] = "true", ["Https:Hsts"] = "true",
            // As the README has it for production: the public address is https, which must not hide that the
            // connection itself is plain HTTP (the redirect and HSTS look at the connection).
            ["PublicBaseUrl"] = "https://api.solvesborg.se/",
        }, factory => factory.UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(SelfSigned()));
        }));
        var addresses = _api.Factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        _http = new Uri(addresses.Single(a => a.StartsWith("http:", StringComparison.Ordinal)));
        _https = new Uri(addresses.Single(a => a.StartsWith("https:", StringComparison.Ordinal)));
    }

    [OneTimeTearDown]
    public static async Task Stop()
    {
        await _api.DisposeAsync();
    }

    [Test]
    public async Task PlainHttpIsRedirectedAndHttpsAnswersCarryHsts()
    {
        using var handler = new HttpClientHandler
        {
            AllowAutoRedirect = false,
            ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
        };
        using var client = new HttpClient(handler);

        using var plain = await client.GetAsync(new Uri(_http, "/api/articles?page=1"));
        Assert.That(plain.StatusCode, Is.EqualTo(HttpStatusCode.PermanentRedirect));
        Assert.That(plain.Headers.Location, Is.EqualTo(new Uri(_https, "/api/articles?page=1")));
        Assert.That(Header(plain, "Strict-Transport-Security"), Is.Null, "HSTS is never sent over plain HTTP");

        // HSTS is not sent to localhost; a public name, as the deployment has.
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_https, "/api/articles"));
        request.Headers.Host = "api.solvesborg.se";
        using var secure = await client.SendAsync(request);
        Assert.That(secure.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Header(secure, "Strict-Transport-Security"), Is.EqualTo("max-age=31536000"));
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }
}
