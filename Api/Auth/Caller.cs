using Microsoft.Net.Http.Headers;

namespace ContentApi.Api.Auth;

/// <summary>Who is asking, as far as the request itself tells.</summary>
public static class Caller
{
    /// <summary>
    /// Whether the request carries credentials (a bearer token or an API key): THE definition of an anonymous caller is
    /// one without. Credentials that are not valid never get further than the credential check (401,
    /// <see cref="AuthSetup.UseCredentialCheck"/>), so past it a caller with credentials is an authenticated one. The
    /// store answers only callers without (before authentication runs), and anything read with them is private.
    /// </summary>
    public static bool HasCredentials(HttpRequest request) =>
        request.Headers.ContainsKey(HeaderNames.Authorization) || request.Headers.ContainsKey(ApiKeyAuthenticationHandler.Header);

    /// <summary>
    /// Whether the caller reads the preview face (<see cref="Reading.ContentReader"/>): any editorial role (editor,
    /// publisher, admin). A caller with valid credentials but no such role (a token without a role) reads what anonymous
    /// readers do, privately.
    /// </summary>
    public static bool MayPreview(System.Security.Claims.ClaimsPrincipal user) => user.IsInRole(Domain.Roles.Editor);
}
