using ContentApi.Api.Caching;
using Microsoft.Extensions.DependencyInjection;

namespace ContentApi.Tests.Support;

/// <summary>
/// A second API host, for a fixture that needs configuration of its own (CORS, HTTPS), on the test run's database;
/// <see cref="Forget"/> after each reset, since its store of answers does not see the tables emptied.
/// </summary>
public sealed class OwnApi : IAsyncDisposable
{
    public OwnApi(IReadOnlyDictionary<string, string?> settings, Action<ContentApiFactory>? listen = null)
    {
        Factory = new ContentApiFactory(TestRun.ConnectionString, TestRun.PhotoFolder, settings: settings);
        if (listen is null)
            Factory.UseKestrel(0);
        else
            listen(Factory);
        Factory.StartServer();
        Client = Factory.CreateClient();
    }

    public ContentApiFactory Factory { get; }
    public HttpClient Client { get; }

    public void Forget()
    {
        Factory.Services.GetRequiredService<ResponseStore>().Clear();
        Factory.Services.GetRequiredService<CountCache>().Clear();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
    }
}
