using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace ContentApi.Api.Caching;

/// <summary>
/// Where an answer is made: a buffer, until it grows past <see cref="ResponseStore.MaxBodyBytes"/>; then what is
/// buffered and everything after it goes straight to the client (it will not be kept), through the stream
/// <paramref name="spill"/> opens (compressing, for the store's own answers) or as it is.
/// </summary>
internal sealed class ResponseCapture(IHttpResponseBodyFeature server, Func<Stream>? spill) : Stream, IHttpResponseBodyFeature
{
    private PipeWriter? _writer;
    private Stream? _spilled;

    public MemoryStream Buffer { get; } = new();
    public bool Spilled => _spilled is not null;

    /// <summary>An answer the store makes: it compresses it itself, so the compression middleware must not.</summary>
    public bool CompressedByStore => spill is not null;

    Stream IHttpResponseBodyFeature.Stream => this;
    public PipeWriter Writer => _writer ??= PipeWriter.Create(this, new StreamPipeWriterOptions(leaveOpen: true));

    public void DisableBuffering()
    {
    }

    public Task StartAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        SendFileFallback.SendFileAsync(this, path, offset, count, cancellationToken);

    /// <summary>Forgets what was written so far, so the answer can be made again (nothing has gone out yet).</summary>
    public void Reset()
    {
        _writer = null;
        Buffer.SetLength(0);
    }

    /// <summary>Flushes what the endpoint left in its writer; ends a spilled answer's compression.</summary>
    public async Task CompleteAsync()
    {
        if (_writer is not null)
            await _writer.FlushAsync();
        if (_spilled is not null && _spilled != server.Stream)
            await _spilled.DisposeAsync();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_spilled is null && Buffer.Length + buffer.Length <= ResponseStore.MaxBodyBytes)
        {
            Buffer.Write(buffer);
            return;
        }
        if (_spilled is null)
            OpenSpill().Write(Buffer.GetBuffer(), 0, (int)Buffer.Length);
        _spilled!.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_spilled is null && Buffer.Length + buffer.Length <= ResponseStore.MaxBodyBytes)
        {
            Buffer.Write(buffer.Span);
            return;
        }
        if (_spilled is null)
            await OpenSpill().WriteAsync(Buffer.GetBuffer().AsMemory(0, (int)Buffer.Length), cancellationToken);
        await _spilled!.WriteAsync(buffer, cancellationToken);
    }

    private Stream OpenSpill() => _spilled = spill?.Invoke() ?? server.Stream;

    public override void Flush()
    {
        _spilled?.Flush();
    }

    public override Task FlushAsync(CancellationToken cancellationToken) =>
        _spilled?.FlushAsync(cancellationToken) ?? Task.CompletedTask;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            Buffer.Dispose();
        base.Dispose(disposing);
    }
}
