using System.Net.Http.Headers;
using System.Security.Claims;
using ContentApi.Api.Auth;
using ContentApi.Tests;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ContentApi.Tests.Support;

/// <summary>Callers with a role: by API key (made through the DbContext) or by a token signed with the test key.</summary>
public static class TestAuth
{
    public const string Issuer = "https://login.test.solvesborg.se/";
    public const string Audience = "api://contentapi-tests";
    public static readonly SymmetricSecurityKey SigningKey = new(System.Text.Encoding.UTF8.GetBytes("contentapi-tests-only-signing-key-0123456789"));

    /// <summary>Trust tokens signed with the test key instead of fetching the provider's keys.</summary>
    public static void Configure(JwtBearerOptions options)
    {
        options.Authority = null;
        options.Configuration = new Microsoft.IdentityModel.Protocols.OpenIdConnect.OpenIdConnectConfiguration();
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = Audience,
            IssuerSigningKey = SigningKey,
            NameClaimType = "name",
            RoleClaimType = ClaimTypes.Role,
        };
    }

    public static string Token(string? role, string subject = "anna.editor", DateTime? expires = null, string audience = Audience) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            Subject = new ClaimsIdentity(role is null ? [new Claim("sub", subject)] : [new Claim("sub", subject), new Claim("roles", role)]),
            NotBefore = (expires ?? DateTime.UtcNow.AddHours(1)).AddHours(-2),
            Expires = expires ?? DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(SigningKey, SecurityAlgorithms.HmacSha256),
        });

    /// <summary>A client that sends a new API key with <paramref name="role"/> (to <paramref name="api"/>, else the test run's API).</summary>
    public static async Task<HttpClient> KeyClientAsync(string role, string name = "tests", ContentApiFactory? api = null)
    {
        var (key, secret) = ApiKeys.Create($"{name}-{role}", role, DateTimeOffset.UtcNow);
        await using (var db = TestRun.Factory.CreateDbContext())
        {
            db.ApiKeys.Add(key);
            await db.SaveChangesAsync();
        }
        var client = (api ?? TestRun.Factory).CreateClient();
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.Header, secret);
        return client;
    }

    public static HttpClient TokenClient(string? role, string subject = "anna.editor")
    {
        var client = TestRun.Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(role, subject));
        return client;
    }
}
