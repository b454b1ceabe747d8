using System.Net;
using System.Text;
using ContentApi.Domain;
using ContentApi.Tests.Support;

namespace ContentApi.Tests.Editorial;

/// <summary>Every write route against every kind of caller: who gets in, who gets 401, who gets 403.</summary>
public class RoleMatrixTests : ApiTest
{
    private const string Id = "0f8fad5b-d9cb-469f-a165-70867728950e";

    // (method, route, the least role that may call it)
    private static readonly (string Method, string Url, string Role)[] Routes =
    [
        ("POST", "/api/articles", Roles.Editor),
        ("PUT", $"/api/articles/{Id}", Roles.Editor),
        ("PATCH", $"/api/articles/{Id}", Roles.Editor),
        ("DELETE", $"/api/articles/{Id}", Roles.Editor),
        ("POST", $"/api/articles/{Id}/publish", Roles.Publisher),
        ("POST", $"/api/articles/{Id}/unpublish", Roles.Publisher),
        ("POST", $"/api/articles/{Id}/archive", Roles.Publisher),
        ("GET", $"/api/articles/{Id}/revisions", Roles.Editor),
        ("GET", $"/api/articles/{Id}/revisions/1", Roles.Editor),
        ("POST", $"/api/articles/{Id}/revisions/1/restore", Roles.Editor),
        ("GET", $"/api/articles/{Id}/schedules", Roles.Editor),
        ("POST", $"/api/articles/{Id}/schedules", Roles.Publisher),
        ("DELETE", $"/api/articles/{Id}/schedules/{Id}", Roles.Publisher),
        ("POST", "/api/pledges", Roles.Editor),
        ("PUT", $"/api/pledges/{Id}", Roles.Editor),
        ("PATCH", $"/api/pledges/{Id}", Roles.Editor),
        ("DELETE", $"/api/pledges/{Id}", Roles.Editor),
        ("POST", $"/api/pledges/{Id}/publish", Roles.Publisher),
        ("POST", $"/api/pledges/{Id}/unpublish", Roles.Publisher),
        ("POST", $"/api/pledges/{Id}/archive", Roles.Publisher),
        ("GET", $"/api/pledges/{Id}/revisions", Roles.Editor),
        ("GET", $"/api/pledges/{Id}/revisions/1", Roles.Editor),
        ("POST", $"/api/pledges/{Id}/revisions/1/restore", Roles.Editor),
        ("GET", $"/api/pledges/{Id}/schedules", Roles.Editor),
        ("POST", $"/api/pledges/{Id}/schedules", Roles.Publisher),
        ("DELETE", $"/api/pledges/{Id}/schedules/{Id}", Roles.Publisher),
        ("PUT", $"/api/photos/{Id}", Roles.Editor),
        ("PATCH", $"/api/photos/{Id}", Roles.Editor),
        ("DELETE", $"/api/photos/{Id}", Roles.Editor),
        ("GET", $"/api/photos/{Id}/revisions", Roles.Editor),
        ("GET", $"/api/photos/{Id}/revisions/1", Roles.Editor),
        ("POST", $"/api/photos/{Id}/revisions/1/restore", Roles.Editor),
        ("GET", "/api/contacts", Roles.Editor),
        ("POST", "/api/contacts", Roles.Editor),
        ("PUT", $"/api/contacts/{Id}", Roles.Editor),
        ("PATCH", $"/api/contacts/{Id}", Roles.Editor),
        ("DELETE", $"/api/contacts/{Id}", Roles.Editor),
        ("GET", $"/api/contacts/{Id}/revisions", Roles.Editor),
        ("GET", $"/api/contacts/{Id}/revisions/1", Roles.Editor),
        ("POST", $"/api/contacts/{Id}/revisions/1/restore", Roles.Editor),
        ("GET", "/api/admin/api-keys", Roles.Admin),
        ("POST", "/api/admin/api-keys", Roles.Admin),
        ("DELETE", $"/api/admin/api-keys/{Id}", Roles.Admin),
        ("GET", "/api/admin/audit", Roles.Admin),
        ("POST", $"/api/admin/contacts/{Id}/erase", Roles.Admin),
    ];

    private static IEnumerable<TestCaseData> Cases() =>
        from route in Routes
        from caller in new string?[] { null, Roles.Editor, Roles.Publisher, Roles.Admin }
        select new TestCaseData(route.Method, route.Url, route.Role, caller)
            .SetName($"{route.Method} {route.Url.Replace(Id, "{id}")} as {caller ?? "anonymous"}");

    [TestCaseSource(nameof(Cases))]
    public async Task OnlyTheRightRolesGetIn(string method, string url, string leastRole, string? caller)
    {
        var client = caller is null ? Client : await TestAuth.KeyClientAsync(caller);
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (method is "POST" or "PUT" or "PATCH")
            request.Content = new StringContent("{}", Encoding.UTF8, method == "PATCH" ? "application/merge-patch+json" : "application/json");
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        if (caller is null)
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), body);
            Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.Contain("Bearer").And.Contain("ApiKey"));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        }
        else if (!Roles.Implied(caller).Contains(leastRole))
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), body);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        }
        else
        {
            Assert.That(response.StatusCode, Is.Not.EqualTo(HttpStatusCode.Unauthorized).And.Not.EqualTo(HttpStatusCode.Forbidden), body);
            Assert.That((int)response.StatusCode, Is.LessThan(500), body);
        }
    }
}
