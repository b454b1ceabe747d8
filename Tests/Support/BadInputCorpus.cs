using System.Net.Http.Headers;
using System.Text;

namespace ContentApi.Tests.Support;

/// <summary>
/// The project's bad-input corpus for write routes: the bodies and headers a careless or hostile client sends, gathered
/// from the odd-input tests (OddWriteInputTests, BadInputTests, UploadRefusalTests) and the hostile run of issue 14.
/// Each input is a body or a header gone wrong on an otherwise plausible request: the real ETag in If-Match and the
/// route's own media type, unless that is what the input breaks.
/// </summary>
public static class BadInputCorpus
{
    /// <summary>One input: what it is, and how it makes a request to a route with the given media type.</summary>
    public sealed record Input(string Name, Func<string, HttpContent?> Body, string? IfMatch = Real, (string Name, string Value)[]? Headers = null);

    /// <summary>Stands for the item's real ETag in <see cref="Input.IfMatch"/>.</summary>
    public const string Real = "<real>";

    private const string Boundary = "corpus-boundary";

    private static Func<string, HttpContent?> Text(string body) => mediaType => Content(Encoding.UTF8.GetBytes(body), mediaType);

    private static Func<string, HttpContent?> Bytes(byte[] body) => mediaType => Content(body, mediaType);

    private static Func<string, HttpContent?> As(string contentType, string body) => _ => Content(Encoding.UTF8.GetBytes(body), contentType);

    private static HttpContent Content(byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return content;
    }

    /// <summary>A multipart form in the route's shape (file and metadata), with the given parts.</summary>
    private static Func<string, HttpContent?> Form(params (string Name, string? FileName, byte[] Value)[] parts) => _ =>
    {
        var form = new MultipartFormDataContent(Boundary);
        foreach (var (name, fileName, value) in parts)
        {
            var part = new ByteArrayContent(value);
            if (fileName is null)
                form.Add(part, name);
            else
                form.Add(part, name, fileName);
        }
        return form;
    };

    private static readonly string Deep = new string('[', 5000) + new string(']', 5000);

    public static readonly IReadOnlyList<Input> All =
    [
        // Bodies that are not what the route reads.
        new("no body", _ => null),
        new("empty body", Text("")),
        new("null", Text("null")),
        new("array", Text("[]")),
        new("empty object", Text("{}")),
        new("string", Text("\"text\"")),
        new("number too large for any type", Text("1e999")),
        new("truncated JSON", Text("""{"title":""")),
        new("JSON nested 5000 deep", Text(Deep)),
        new("invalid UTF-8", Bytes([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D])),
        new("byte order mark", Bytes([0xEF, 0xBB, 0xBF, .. "{}"u8.ToArray()])),
        // Fields gone wrong (OddWriteInputTests and the hostile run).
        new("nulls everywhere", Text("""{"title":null,"name":null,"altText":null,"body":null,"tags":null,"contactIds":null,"year":null,"action":null,"at":null,"role":null}""")),
        new("null items", Text("""{"title":"x","name":"x","body":[null],"tags":[null],"contactIds":[null],"signatories":[null],"priorityAreas":[null],"ongoingEfforts":[null]}""")),
        new("duplicate property", Text("""{"title":"a","title":"b","name":"a","name":"b"}""")),
        new("lone surrogate in a property name", Text("""{"\ud800x":1}""")),
        new("lone surrogates in values", Text("""{"title":"\ud800","name":"\udfff","altText":"\ud800","lead":"\udc00","tags":["\ud800"]}""")),
        new("NUL in text", Text("""{"title":"a\u0000b","name":"a\u0000b","altText":"a\u0000b","lead":"\u0000","tags":["\u0000"]}""")),
        new("wrong types", Text("""{"title":1,"name":[],"tags":"x","body":{},"year":"x","contactIds":"x","heroPhotoId":1,"decorative":"yes","focalX":"x"}""")),
        new("values out of range", Text("""{"title":"x","name":"x","year":99999999999,"validFrom":"2024-13-45","validTo":"0001-01-01","at":"not a date","action":"Explode","role":"root","focalX":1e308,"focalY":-5}""")),
        new("unknown enum and block", Text("""{"title":"x","body":[{"type":"Nope"},{"type":"Paragraph","text":null},{"type":"Image","photoId":"not-a-guid"}],"priorityAreas":[{"title":"T","description":"","commitments":[{"text":"x","responsibleParty":"P","status":99}]}]}""")),
        new("references to nothing", Text("""{"title":"x","name":"x","heroPhotoId":"00000000-0000-0000-0000-000000000001","pledgeId":"00000000-0000-0000-0000-000000000002","contactId":"00000000-0000-0000-0000-000000000003","contactIds":["00000000-0000-0000-0000-000000000004"],"body":[{"type":"Image","photoId":"00000000-0000-0000-0000-000000000005"}]}""")),
        new("text far over every length limit", Text($$"""{"title":"{{new string('a', 100_000)}}","name":"{{new string('a', 100_000)}}","altText":"{{new string('a', 100_000)}}","tags":["{{new string('a', 10_000)}}"]}""")),
        // Forms (UploadRefusalTests).
        new("form without a file", Form(("altText", null, "Alt"u8.ToArray()))),
        new("form with a file that is no picture", Form(("file", "x.jpg", "not a picture"u8.ToArray()), ("altText", null, "Alt"u8.ToArray()))),
        new("form with NUL in its text", Form(("file", "x.jpg", "x"u8.ToArray()), ("altText", null, "a\0b"u8.ToArray()), ("focalX", null, "NaN"u8.ToArray()))),
        new("multipart without a boundary", As("multipart/form-data", "--x\r\n")),
        new("multipart cut short", As($"multipart/form-data; boundary={Boundary}", $"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n\r\nabc")),
        // Content types.
        new("unknown charset", As("application/json; charset=bogus", "{}")),
        new("merge patch in an unknown charset", As("application/merge-patch+json; charset=bogus", "{}")),
        new("quoted charset", As("application/json; charset=\"utf-8\"", "{}")),
        new("UTF-16 declared, UTF-8 sent", As("application/json; charset=utf-16", "{}")),
        new("plain text", As("text/plain", "{}")),
        new("XML", As("application/xml", "<title>x</title>")),
        new("form fields", As("application/x-www-form-urlencoded", "title=x&%zz=1")),
        new("malformed content type", As("application/json; ;;=", "{}")),
        // Headers.
        new("If-Match garbage", Text("{}"), IfMatch: "abc"),
        new("If-Match huge version", Text("{}"), IfMatch: "\"99999999999999999999\""),
        new("If-Match weak", Text("{}"), IfMatch: "W/\"1\""),
        new("If-Match list", Text("{}"), IfMatch: "\"1\", \"2\", *"),
        new("no If-Match", Text("{}"), IfMatch: null),
        new("malformed Prefer", Text("{}"), Headers: [("Prefer", "a>b")]),
        new("XML accepted only", Text("{}"), Headers: [("Accept", "application/xml")]),
    ];

    /// <summary>The request this input makes to a route.</summary>
    public static HttpRequestMessage Request(this Input input, HttpMethod method, string url, string mediaType, string? etag)
    {
        var request = new HttpRequestMessage(method, url) { Content = input.Body(mediaType) };
        var ifMatch = input.IfMatch == Real ? etag : input.IfMatch;
        if (ifMatch is not null)
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        foreach (var (name, value) in input.Headers ?? [])
            request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }
}
