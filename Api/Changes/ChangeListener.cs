using System.Text.Json;
using ContentApi.Api.Caching;
using ContentApi.Domain;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ContentApi.Api.Changes;

/// <summary>The listener for changes made through other instances, section "ChangeListener".</summary>
public sealed class ChangeListenerOptions
{
    public const string Section = "ChangeListener";

    /// <summary>
    /// Seconds without traffic after which the listening connection is tested (Npgsql's Keepalive): how long a
    /// connection that died without a word (a network partition) goes unnoticed at most, give or take a round trip.
    /// </summary>
    public int KeepaliveSeconds { get; set; } = 5;
    /// <summary>The longest wait between two attempts to listen again; they start at 0.2 s and double.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Registers the <see cref="ChangeListener"/> and its options.</summary>
public static class ChangeListenerSetup
{
    public static void AddChangeListener(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ChangeListenerOptions>().Bind(builder.Configuration.GetSection(ChangeListenerOptions.Section))
            .Validate(o => o.KeepaliveSeconds > 0 && o.MaxReconnectDelay >= ChangeListener.FirstRetry,
                "ChangeListener: KeepaliveSeconds must be 1 or more, MaxReconnectDelay at least 00:00:00.2.")
            .ValidateOnStart();
        builder.Services.AddSingleton<ChangeListener>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ChangeListener>());
    }
}

/// <summary>
/// Eviction across instances: listens on its own connection for the change log's notifications
/// (<c>NOTIFY content_changes</c>, sent by the database once a change commits, whichever instance made it) and evicts
/// what each changed, as a save through this instance does (<see cref="Eviction"/>). While it is not listening (at
/// start-up, or after its connection dropped) changes can go unheard: the store and the counts keep nothing
/// (<see cref="Eviction.Suspend"/>), and once it listens again everything is evicted, then kept again.
/// </summary>
public sealed class ChangeListener(IConfiguration configuration, Eviction eviction, IOptions<ChangeListenerOptions> options,
    ILogger<ChangeListener> log) : BackgroundService
{
    public const string Channel = "content_changes";
    internal static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan FirstWait = TimeSpan.FromSeconds(2);
    private Task<NpgsqlConnection?> _first = Task.FromResult<NpgsqlConnection?>(null);
    private long _heardThrough;
    private volatile bool _listening;

    /// <summary>
    /// The last change-log position heard of (and evicted). Notifications come in commit order, so once it reaches the
    /// log's last position every change committed so far has been evicted here.
    /// </summary>
    public long HeardThrough => Interlocked.Read(ref _heardThrough);

    /// <summary>Whether it listens now (answers are kept only then).</summary>
    public bool Listening => _listening;

    /// <summary>
    /// The listening connection's string: <c>ConnectionStrings:ContentDbListen</c> (a direct or session-mode connection
    /// when ContentDb goes through a pooler in transaction mode, where LISTEN does not work), else ContentDb; never
    /// pooled, tested every <see cref="ChangeListenerOptions.KeepaliveSeconds"/>, and named "… listener" in
    /// pg_stat_activity after the string's Application Name (ContentApi when it has none).
    /// </summary>
    public static string ConnectionString(IConfiguration configuration, ChangeListenerOptions options)
    {
        var builder = new NpgsqlConnectionStringBuilder(ListenConnectionString(configuration))
        {
            Pooling = false, Multiplexing = false, Enlist = false, KeepAlive = options.KeepaliveSeconds,
        };
        builder.ApplicationName = $"{(string.IsNullOrEmpty(builder.ApplicationName) ? "ContentApi" : builder.ApplicationName)} listener";
        return builder.ConnectionString;
    }

    /// <summary>Where a session that LISTENs connects: ConnectionStrings:ContentDbListen, else ContentDb.</summary>
    public static string ListenConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString("ContentDbListen") is { Length: > 0 } listen
            ? listen : configuration.GetConnectionString("ContentDb")!;

    /// <summary>
    /// Nothing is kept until the first LISTEN, which the start waits for a moment (a host that answers at once keeps
    /// its answers at once); without it, the listener goes on trying in the background.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        eviction.Suspend();
        _first = TryListenAsync(CancellationToken.None);
        await Task.WhenAny(_first, Task.Delay(FirstWait, cancellationToken));
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        NpgsqlConnection? connection = null;
        var retry = FirstRetry;
        DateTimeOffset? lostAt = null;
        try
        {
            if ((connection = await _first.WaitAsync(stoppingToken)) is null)
            {
                lostAt = DateTimeOffset.UtcNow;
                log.LogWarning("Not listening for content changes: stored answers are not kept until the listener connects.");
            }
            while (true)
            {
                if (connection is null)
                {
                    await Task.Delay(retry, stoppingToken);
                    retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, options.Value.MaxReconnectDelay.Ticks));
                    if ((connection = await TryListenAsync(stoppingToken)) is null)
                        continue;
                    log.LogWarning("Listening for content changes again after {Seconds:0.0} s; every stored answer was evicted.",
                        (DateTimeOffset.UtcNow - lostAt!.Value).TotalSeconds);
                    retry = FirstRetry;
                }
                try
                {
                    while (true)
                        await connection.WaitAsync(stoppingToken);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // First: from now on a change can go unheard.
                    eviction.Suspend();
                    _listening = false;
                    lostAt = DateTimeOffset.UtcNow;
                    log.LogWarning("Stopped listening for content changes ({Error}): stored answers are not kept until it listens again.",
                        e.Message);
                }
                await connection.DisposeAsync();
                connection = null;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (connection is not null)
                await connection.DisposeAsync();
        }
    }

    /// <summary>A connection that listens, everything evicted once it does; null when it cannot be had now.</summary>
    private async Task<NpgsqlConnection?> TryListenAsync(CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(ConnectionString(configuration, options.Value));
        connection.Notification += (_, notification) => Evict(notification.Payload);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                await listen.ExecuteNonQueryAsync(cancellationToken);
            var upToNow = await LastPositionAsync(connection, cancellationToken);
            // Every change committed from now on is heard; any before may have been missed while nothing listened, and
            // all of them are evicted now.
            eviction.Resume();
            _listening = true;
            Heard(upToNow);
            return connection;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            log.LogDebug("Could not listen for content changes: {Error}", e.Message);
            await connection.DisposeAsync();
            return null;
        }
    }

    /// <summary>The log's last position: once listening, everything up to it counts as heard (the eviction on connecting covers it).</summary>
    private static async Task<long> LastPositionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await using var last = new NpgsqlCommand(ChangeLog.LastPositionSql, connection);
            return await last.ExecuteScalarAsync(cancellationToken) is long position ? position : 0;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return 0; // not migrated yet
        }
    }

    private void Heard(long position)
    {
        // Only the listener's thread writes it.
        if (position > _heardThrough)
            Interlocked.Exchange(ref _heardThrough, position);
    }

    /// <summary>Evicts what the notification's kind shows; everything, when the payload does not say.</summary>
    private void Evict(string payload)
    {
        ContentKind? changed = null;
        long? position = null;
        try
        {
            using var json = JsonDocument.Parse(payload);
            if (json.RootElement.TryGetProperty("kind", out var kind)
                && Enum.TryParse<ContentKind>(kind.GetString(), out var parsed) && Enum.IsDefined(parsed))
                changed = parsed;
            if (json.RootElement.TryGetProperty("position", out var at) && at.TryGetInt64(out var number))
                position = number;
        }
        catch (JsonException)
        {
        }
        eviction.Evict(changed is { } one ? [one] : Enum.GetValues<ContentKind>());
        if (position is { } heard)
            Heard(heard);
    }
}
