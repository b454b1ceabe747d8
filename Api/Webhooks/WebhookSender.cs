using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace ContentApi.Api.Webhooks;

/// <summary>What one attempt came to: the receiver's status (null without an answer), the time it took, and an excerpt.</summary>
public sealed record AttemptOutcome(int? Status, bool Succeeded, int LatencyMs, string? Excerpt);

/// <summary>
/// Sends one message, signed as Standard Webhooks specifies: <c>webhook-id</c>, <c>webhook-timestamp</c> (Unix seconds)
/// and <c>webhook-signature</c> = <c>v1,</c> and the base64 HMAC-SHA256, keyed with the secret's bytes, of
/// <c>{id}.{timestamp}.{body}</c>. Any 2xx is a success; anything else, a 3xx too (redirects are not followed), no answer
/// within <c>Webhooks:Timeout</c>, or a refused destination, is a failure.
/// </summary>
public sealed class WebhookSender(IHttpClientFactory clients, IOptions<WebhookOptions> options)
{
    public const string SecretPrefix = "whsec_";
    private const int SecretBytes = 32;

    /// <summary>A new secret in the Standard Webhooks form: <c>whsec_</c> and 32 random bytes in base64.</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(SecretBytes));

    public static string Sign(string secret, string messageId, long timestamp, string body)
    {
        var key = Convert.FromBase64String(secret[SecretPrefix.Length..]);
        var signature = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{messageId}.{timestamp}.{body}"));
        return "v1," + Convert.ToBase64String(signature);
    }

    public async Task<AttemptOutcome> SendAsync(string url, string secret, string messageId, string body, CancellationToken stoppingToken)
    {
        // The signature's time is the wall clock's whatever the API's clock says: receivers refuse a timestamp far from
        // their own time (replay protection).
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add("webhook-id", messageId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", Sign(secret, messageId, timestamp, body));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        deadline.CancelAfter(options.Value.Timeout);
        var watch = Stopwatch.StartNew();
        try
        {
            using var response = await clients.CreateClient(WebhookSetup.HttpClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var excerpt = await ExcerptAsync(response, deadline.Token);
            var status = (int)response.StatusCode;
            var succeeded = status is >= 200 and < 300;
            if (status is >= 300 and < 400 && response.Headers.Location is { } location)
                excerpt = $"Redirect to {location} not followed. {excerpt}";
            return new(status, succeeded, Elapsed(watch), excerpt);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return new(null, false, Elapsed(watch), $"No answer within {options.Value.Timeout.TotalSeconds:0.###} s.");
        }
        catch (HttpRequestException e)
        {
            var reason = e.InnerException is DestinationRefusedException refused ? refused.Message : e.Message;
            return new(null, false, Elapsed(watch), Clip(reason));
        }
    }

    private static int Elapsed(Stopwatch watch) => (int)Math.Min(int.MaxValue, watch.ElapsedMilliseconds);

    /// <summary>The start of the answer's body, as text.</summary>
    private static async Task<string?> ExcerptAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[Domain.WebhookAttempt.ExcerptMaxLength];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), ct)) > 0)
            read += n;
        return read == 0 ? null : Clip(Encoding.UTF8.GetString(buffer, 0, read));
    }

    private static string Clip(string text) =>
        text.Length <= Domain.WebhookAttempt.ExcerptMaxLength ? text : text[..Domain.WebhookAttempt.ExcerptMaxLength];
}
