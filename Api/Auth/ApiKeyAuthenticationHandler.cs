using System.Security.Claims;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using ContentApi.Api.Hosting;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ContentApi.Api.Auth;

/// <summary>Authenticates services and scripts by the key in the X-Api-Key header.</summary>
public class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string Header = "X-Api-Key";
    private const string FailureItem = "ContentApi.AuthFailure";
    private const string OutageItem = "ContentApi.AuthOutage";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(Header, out var values) || string.IsNullOrWhiteSpace(values.ToString()))
            return AuthenticateResult.NoResult();

        var presented = values.ToString().Trim();
        // A key this API cannot have issued is refused without asking the database.
        if (!ApiKeys.IsWellFormed(presented))
            return Fail($"The API key is not one this API issues (they start with {ApiKeys.Start} and have {ApiKeys.Length} characters): check that it was copied whole.");
        var db = Context.RequestServices.GetRequiredService<ContentDbContext>();
        var hash = ApiKeys.Hash(presented);
        ApiKey? key;
        try
        {
            key = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Hash == hash, Context.RequestAborted);
        }
        catch (Exception e) when (DatabaseOutage.IsUnreachable(e))
        {
            return Outage(e);
        }
        if (key is null || key.RevokedAt is not null)
            return Fail(key is null ? "The API key is not known." : "The API key has been revoked.");

        var now = clock.GetUtcNow();
        // Recording every use would make every read a write; a minute's precision is plenty for "last used".
        if (key.LastUsedAt is null || now - key.LastUsedAt > TimeSpan.FromMinutes(1))
        {
            try
            {
                await db.ApiKeys.Where(k => k.Id == key.Id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), Context.RequestAborted);
            }
            catch (Exception e) when (DatabaseOutage.IsUnreachable(e))
            {
                return Outage(e);
            }
        }

        var claims = new List<Claim> { new(ClaimTypes.Name, $"apikey:{key.Name}"), new("api_key_id", key.Id.ToString()) };
        claims.AddRange(Roles.Implied(key.Role).Select(role => new Claim(ClaimTypes.Role, role)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    /// <summary>
    /// The authentication middleware would turn the exception into "not authenticated", a 401: a key that may well be
    /// valid is not refused for an outage. The challenge throws it again, and the exception handler answers 503.
    /// </summary>
    private AuthenticateResult Outage(Exception e)
    {
        Context.Items[OutageItem] = ExceptionDispatchInfo.Capture(e);
        return AuthenticateResult.Fail("The database cannot be reached to check the API key.");
    }

    private AuthenticateResult Fail(string reason)
    {
        Context.Items[FailureItem] = reason;
        return AuthenticateResult.Fail(reason);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        (Context.Items[OutageItem] as ExceptionDispatchInfo)?.Throw();
        var reason = Context.Items[FailureItem] as string ?? "No credentials: send an API key in X-Api-Key or a bearer token.";
        await Challenges.WriteAsync(Context, reason);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => Challenges.ForbidAsync(Context);
}

/// <summary>Making, hashing and revoking API keys.</summary>
public static class ApiKeys
{
    public const string Start = "cak_";
    /// <summary>"cak_" and 32 random bytes in base64url without padding.</summary>
    public const int Length = 4 + 43;
    /// <summary>The characters of a key kept to tell it apart (admins' key list, the audit log).</summary>
    public const int PrefixLength = 10;

    /// <summary>A new random key: 256 bits, URL-safe, with a prefix that says what it is.</summary>
    public static string Generate() => Start + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    /// <summary>Whether the text has the shape of a key <see cref="Generate"/> makes.</summary>
    public static bool IsWellFormed(string key) =>
        key.Length == Length && key.StartsWith(Start, StringComparison.Ordinal)
        && key.AsSpan(Start.Length).IndexOfAnyExcept(Base64UrlCharacters) < 0;

    private static readonly System.Buffers.SearchValues<char> Base64UrlCharacters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    /// <summary>Keys are long random secrets, so a plain SHA-256 is enough; there is nothing to brute-force.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));

    public static (ApiKey Entity, string Secret) Create(string name, string role, DateTimeOffset now)
    {
        var secret = Generate();
        return (new ApiKey
        {
            Id = Guid.NewGuid(), Name = name, Role = role, Hash = Hash(secret), Prefix = secret[..PrefixLength], CreatedAt = now,
        }, secret);
    }

    public static ValidationErrors Validate(string? name, string? role)
    {
        var errors = new ValidationErrors();
        errors.Required("name", name, ApiKey.NameMaxLength);
        if (role is null || !Roles.All.Contains(role))
            errors.Add("role", $"role must be one of: {string.Join(", ", Roles.All)}.");
        return errors;
    }

    private static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
