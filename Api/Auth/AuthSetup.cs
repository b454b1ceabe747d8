using System.Security.Claims;
using ContentApi.Domain;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace ContentApi.Api.Auth;

/// <summary>Options of the municipality's OpenID Connect provider (e.g. Entra ID), section "Auth:Jwt".</summary>
public class JwtOptions
{
    public const string Section = "Auth:Jwt";

    /// <summary>The issuer, e.g. https://login.microsoftonline.com/&lt;tenant&gt;/v2.0.</summary>
    public string? Authority { get; set; }
    /// <summary>The API's application id URI or client id.</summary>
    public string? Audience { get; set; }
    /// <summary>The claim that holds the roles ("roles" in Entra ID app roles).</summary>
    public string RoleClaim { get; set; } = "roles";
}

public static class AuthSetup
{
    public const string Editor = "Editor";
    public const string Publisher = "Publisher";
    public const string Admin = "Admin";
    private const string Selector = "ApiKeyOrBearer";

    public static void AddContentAuth(this WebApplicationBuilder builder)
    {
        var jwt = builder.Configuration.GetSection(JwtOptions.Section).Get<JwtOptions>() ?? new JwtOptions();

        builder.Services.AddAuthentication(Selector)
            // One default scheme that picks by what the caller sent: an X-Api-Key header or a bearer token.
            .AddPolicyScheme(Selector, "API key or bearer token", options => options.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? JwtBearerDefaults.AuthenticationScheme
                    : ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddJwtBearer(options =>
            {
                options.Authority = jwt.Authority;
                options.Audience = jwt.Audience;
                options.MapInboundClaims = false;
                options.TokenValidationParameters.NameClaimType = "name";
                options.TokenValidationParameters.RoleClaimType = ClaimTypes.Role;
                options.Events = new JwtBearerEvents
                {
                    OnTokenValidated = context =>
                    {
                        // Roles come in the configured claim; each role brings the ones below it.
                        var identity = (ClaimsIdentity)context.Principal!.Identity!;
                        var granted = identity.FindAll(jwt.RoleClaim).Select(c => c.Value.ToLowerInvariant())
                            .SelectMany(Roles.Implied).Distinct().ToList();
                        foreach (var role in granted)
                            identity.AddClaim(new Claim(ClaimTypes.Role, role));
                        if (identity.Name is null && identity.FindFirst("sub") is { } sub)
                            identity.AddClaim(new Claim("name", $"jwt:{sub.Value}"));
                        return Task.CompletedTask;
                    },
                    OnChallenge = async context =>
                    {
                        context.HandleResponse();
                        var reason = context.AuthenticateFailure switch
                        {
                            null => "No valid bearer token.",
                            Microsoft.IdentityModel.Tokens.SecurityTokenExpiredException => "The bearer token has expired.",
                            Microsoft.IdentityModel.Tokens.SecurityTokenInvalidAudienceException => "The bearer token is for another audience.",
                            Microsoft.IdentityModel.Tokens.SecurityTokenInvalidIssuerException => "The bearer token is from an issuer this API does not trust.",
                            Microsoft.IdentityModel.Tokens.SecurityTokenSignatureKeyNotFoundException or
                            Microsoft.IdentityModel.Tokens.SecurityTokenInvalidSignatureException => "The bearer token's signature is not valid.",
                            _ => "The bearer token is not valid.",
                        };
                        await Challenges.WriteAsync(context.HttpContext, reason);
                    },
                    OnForbidden = context => Challenges.ForbidAsync(context.HttpContext),
                };
            });

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Editor, policy => policy.RequireRole(Roles.Editor))
            .AddPolicy(Publisher, policy => policy.RequireRole(Roles.Publisher))
            .AddPolicy(Admin, policy => policy.RequireRole(Roles.Admin));
    }

    /// <summary>
    /// Credentials that are not valid (an unknown or revoked key, an expired token) are refused with 401 on every route,
    /// reads anyone may make included: answered as anonymous, a mistyped key would look like a key that sees no drafts.
    /// </summary>
    public static void UseCredentialCheck(this WebApplication app) => app.Use(async (context, next) =>
    {
        if (Caller.HasCredentials(context.Request) && context.User.Identity?.IsAuthenticated != true)
        {
            await context.ChallengeAsync();
            return;
        }
        await next(context);
    });
}
