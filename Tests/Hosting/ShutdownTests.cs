using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using ContentApi.Api.Auth;
using ContentApi.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Tests.Hosting;

/// <summary>A deploy's SIGTERM, sent to the API binary running as a process of its own.</summary>
public class ShutdownTests : ApiTest
{
    [Test]
    public async Task OnSigtermTheServerIsNotReadyAtOnceAndAnUploadStillArrivingCompletesBeforeItExits()
    {
        var (key, secret) = ApiKeys.Create("deploy", "editor", DateTimeOffset.UtcNow);
        await using (var db = TestRun.Factory.CreateDbContext())
        {
            db.ApiKeys.Add(key);
            await db.SaveChangesAsync();
        }
        await using var api = new ApiProcess(TestRun.PhotoFolder, new Dictionary<string, string>
        {
            ["Shutdown__ReadinessDelay"] = "00:00:01",
            ["HostOptions__ShutdownTimeout"] = "00:00:30",
        });
        var port = api.Port;
        string Log() => api.Log();
        using var probe = new HttpClient { BaseAddress = api.Address };
        probe.DefaultRequestHeaders.ConnectionClose = true;
        await api.ReadyAsync();

        // Writes whose bodies arrive in pieces, 8 bytes every 0.3 s, most of them ending inside a JSON string as a slow
        // network cuts them; SIGTERM comes after the second piece, the last piece only once the listener has closed.
        // (Without the fix about three in four such uploads failed; four at once all passed only by chance.)
        var listenerClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new CountdownEvent(4);
        var uploads = Enumerable.Range(1, 4).Select(n => Task.Run(() => UploadAsync(port, secret, $"Långsam Uppladdare {n}", started, listenerClosed.Task))).ToList();
        await Task.Run(() => started.Wait(TimeSpan.FromSeconds(30)));
        await api.TerminateAsync();

        // Not ready at once, while it still answers everything else.
        HttpStatusCode? ready;
        for (var attempt = 0; (ready = await ApiProcess.StatusAsync(probe, "/health/ready")) == HttpStatusCode.OK; attempt++)
        {
            Assert.That(attempt, Is.LessThan(100), "readiness turned 503");
            await Task.Delay(20);
        }
        Assert.That(ready, Is.EqualTo(HttpStatusCode.ServiceUnavailable), $"answered, not refused, during the readiness delay\n{Log()}");

        // After the readiness delay the listener closes: new connections are refused, the uploads go on.
        for (var attempt = 0; await ApiProcess.StatusAsync(probe, "/health/live") is not null; attempt++)
        {
            Assert.That(attempt, Is.LessThan(200), "the listener closed");
            await Task.Delay(50);
        }
        listenerClosed.SetResult();

        foreach (var (upload, n) in uploads.Select((u, i) => (u, i + 1)))
        {
            var answer = await upload;
            Assert.That(answer, Does.StartWith("HTTP/1.1 201"), $"{answer}\n{Log()}");
            var id = (Guid)JsonNode.Parse(answer[answer.IndexOf('{')..(answer.LastIndexOf('}') + 1)])!["id"]!;
            await using var db = TestRun.Factory.CreateDbContext();
            Assert.That(await db.Contacts.IgnoreQueryFilters().Where(c => c.Id == id).Select(c => c.Name).SingleOrDefaultAsync(),
                Is.EqualTo($"Långsam Uppladdare {n}"), "the write is in the database");
        }

        Assert.That(await api.ExitedAsync(), Is.EqualTo(0), Log());
        Assert.That(Log(), Does.Not.Contain("fail:").And.Not.Contain("canceled"), "nothing failed on the way down");
    }

    /// <summary>POSTs a contact through a raw socket, its body in pieces; the last piece waits for <paramref name="last"/>.</summary>
    private static async Task<string> UploadAsync(int port, string secret, string name, CountdownEvent started, Task last)
    {
        var body = Encoding.UTF8.GetBytes($$"""{"name": "{{name}}", "title": "skickar sin kropp bit för bit, långsamt"}""");
        using var upload = new TcpClient();
        await upload.ConnectAsync(IPAddress.Loopback, port);
        var stream = upload.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /api/contacts HTTP/1.1\r\nHost: localhost\r\n{ApiKeyAuthenticationHandler.Header}: {secret}\r\n" +
            $"Content-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n"));
        const int piece = 8;
        for (var offset = 0; offset < body.Length - piece; offset += piece)
        {
            await stream.WriteAsync(body.AsMemory(offset, piece));
            if (offset == piece)
                started.Signal();
            await Task.Delay(300);
        }
        await last;
        await stream.WriteAsync(body.AsMemory((body.Length - 1) / piece * piece));
        return await ReadAnswerAsync(stream);
    }

    /// <summary>The whole answer: headers and a chunked or sized body, read until the server closes the connection.</summary>
    private static async Task<string> ReadAnswerAsync(NetworkStream stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
            received.Write(buffer, 0, read);
        return Encoding.UTF8.GetString(received.ToArray());
    }
}
