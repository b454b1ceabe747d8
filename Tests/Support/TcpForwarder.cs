using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ContentApi.Tests.Support;

/// <summary>
/// A TCP forwarder between the API and the test PostgreSQL, to cut the API off its database without stopping the
/// server every other test uses. <see cref="Cut"/> resets every connection and refuses new ones (the listener is
/// closed: connection refused); <see cref="Restore"/> listens on the same port again.
/// </summary>
public sealed class TcpForwarder : IDisposable
{
    private readonly IPEndPoint _target;
    private readonly ConcurrentDictionary<Socket, bool> _open = new();
    private readonly Lock _gate = new();
    private Socket? _listener;
    // Set first when cut: no byte is forwarded any more, even on a connection not reset yet (the resets come one by
    // one, and a command on one reset late would otherwise still go through and end the outage early).
    private volatile bool _cut;

    public int Port { get; }

    public TcpForwarder(string host, int port)
    {
        _target = new IPEndPoint(Dns.GetHostAddresses(host).First(a => a.AddressFamily == AddressFamily.InterNetwork), port);
        Port = Listen(0);
    }

    /// <summary>The connection string through this forwarder.</summary>
    public static (TcpForwarder Forwarder, string ConnectionString) For(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        var forwarder = new TcpForwarder(builder.Host!, builder.Port);
        builder.Host = "127.0.0.1";
        builder.Port = forwarder.Port;
        return (forwarder, builder.ConnectionString);
    }

    private int Listen(int port)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
        listener.Listen(512);
        lock (_gate)
            _listener = listener;
        _ = AcceptAsync(listener);
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }

    private async Task AcceptAsync(Socket listener)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            _open[client] = true;
            _ = ForwardAsync(client, listener);
        }
    }

    private async Task ForwardAsync(Socket client, Socket listener)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _open[server] = true;
        try
        {
            lock (_gate)
                if (_listener != listener)
                    return; // cut meanwhile
            await server.ConnectAsync(_target);
            await Task.WhenAny(PumpAsync(client, server), PumpAsync(server, client));
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            Reset(client);
            Reset(server);
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (await from.ReceiveAsync(buffer, SocketFlags.None) is var read and > 0 && !_cut)
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Closes every connection (with a reset, as a broken network or a dead server would) and refuses new ones.</summary>
    public void Cut()
    {
        _cut = true;
        lock (_gate)
        {
            _listener?.Dispose();
            _listener = null;
        }
        foreach (var socket in _open.Keys)
            Reset(socket);
    }

    /// <summary>Accepts connections again, on the same port.</summary>
    public void Restore()
    {
        _cut = false;
        Listen(Port);
    }

    private void Reset(Socket socket)
    {
        _open.TryRemove(socket, out _);
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        socket.Dispose();
    }

    public void Dispose() => Cut();
}
