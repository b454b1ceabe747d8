using System.Buffers.Binary;
using System.Buffers.Text;
using ContentApi.Domain;

namespace ContentApi.Api.Sync;

/// <summary>
/// Where an app's copy stands, opaque to the app (base64url of a version byte and the fields below): it sends back the
/// <c>nextSyncToken</c> it was given, as it is.
/// <list type="bullet">
/// <item>A copy that is complete up to the change log's position <see cref="Since"/>: <see cref="Through"/> equals it and
/// there is no cursor. The next call reads what changed after it.</item>
/// <item>An initial sync under way: <see cref="Initial"/>, with <see cref="Since"/> the log's position read before its
/// first page (so that whatever changes while it pages is delivered by the first delta) and the cursor after the last
/// item sent.</item>
/// <item>A delta under way: the changes after <see cref="Since"/> up to <see cref="Through"/> are being sent, the cursor
/// after the last item sent.</item>
/// </list>
/// The cursor is a kind (in <see cref="SyncEndpoints.Kinds"/> order) and the last id sent of it, in PostgreSQL's uuid
/// order (which .NET's Guid comparison shares).
/// </summary>
public readonly record struct SyncToken(long Since, long Through, bool Initial, ContentKind Kind, Guid? After)
{
    private const byte Version = 1;
    private const int Length = 1 + 1 + 8 + 8 + 1 + 1 + 16;

    /// <summary>A copy complete up to <paramref name="position"/>.</summary>
    public static SyncToken At(long position) => new(position, position, false, ContentKind.Article, null);

    /// <summary>True for a copy complete up to <see cref="Since"/> (no sync under way: a delta under way has changes to send).</summary>
    public bool IsComplete => !Initial && Through == Since;

    public string Encode()
    {
        Span<byte> bytes = stackalloc byte[Length];
        bytes.Clear();
        bytes[0] = Version;
        bytes[1] = Initial ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt64BigEndian(bytes[2..], Since);
        BinaryPrimitives.WriteInt64BigEndian(bytes[10..], Through);
        bytes[18] = (byte)Kind;
        if (After is { } after)
        {
            bytes[19] = 1;
            after.TryWriteBytes(bytes[20..], bigEndian: true, out _);
        }
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>The token the text stands for, or null when it is not one this API wrote.</summary>
    public static SyncToken? Decode(string text)
    {
        Span<byte> bytes = stackalloc byte[Length];
        if (text.Length != Base64Url.GetEncodedLength(Length)
            || !Base64Url.TryDecodeFromChars(text, bytes, out var written) || written != Length || bytes[0] != Version)
            return null;
        var since = BinaryPrimitives.ReadInt64BigEndian(bytes[2..]);
        var through = BinaryPrimitives.ReadInt64BigEndian(bytes[10..]);
        var kind = (ContentKind)bytes[18];
        if (bytes[1] > 1 || bytes[19] > 1 || since < 0 || through < since || !Enum.IsDefined(kind)
            || (bytes[1] == 1 && through != since) || (bytes[19] == 0 && bytes[20..].IndexOfAnyExcept((byte)0) >= 0))
            return null;
        return new SyncToken(since, through, bytes[1] == 1, kind, bytes[19] == 1 ? new Guid(bytes[20..], bigEndian: true) : null);
    }
}
