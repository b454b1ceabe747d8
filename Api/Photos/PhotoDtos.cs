using System.Linq.Expressions;
using ContentApi.Domain;

namespace ContentApi.Api.Photos;

/// <summary>One ready-made rendition address.</summary>
public record RenditionDto(int Width, string Format, string Url);

/// <summary>
/// A photo's metadata. <c>url</c> is the original file; <c>renditions</c> and the <c>srcset</c> strings are ready for
/// responsive &lt;img&gt; and &lt;picture&gt; elements; <c>dominantColor</c> can be painted while the image loads.
/// </summary>
public record PhotoDto(
    Guid Id, string AltText, bool Decorative, string? Caption, string? Credit,
    int Width, int Height, string MediaType, long ByteSize, string Sha256, string DominantColor, double FocalX, double FocalY,
    DateTimeOffset UpdatedAt)
{
    /// <summary>The original file, relative to the API's base address.</summary>
    public string Url => PhotoEndpoints.FileUrl(Id);

    /// <summary>Every width this photo is offered in, as WebP and JPEG.</summary>
    // Made once: the srcset strings read it too.
    public List<RenditionDto> Renditions => field ??= MakeRenditions();

    private List<RenditionDto> MakeRenditions()
    {
        var version = Photo.VersionOf(Sha256, FocalX, FocalY);
        return [.. Photo.AvailableWidths(Width).SelectMany(w => new[]
        {
            new RenditionDto(w, "webp", RenditionEndpoints.Url(Id, version, w, "webp")),
            new RenditionDto(w, "jpg", RenditionEndpoints.Url(Id, version, w, "jpg")),
        })];
    }

    /// <summary>For &lt;source type="image/webp" srcset="…"&gt;.</summary>
    public string SrcsetWebp => Srcset("webp");

    /// <summary>For &lt;img srcset="…"&gt;.</summary>
    public string SrcsetJpeg => Srcset("jpg");

    /// <summary>The renditions of one format as a srcset, each address passed through <paramref name="address"/> if given.</summary>
    public string Srcset(string format, Func<string, string>? address = null) => string.Join(", ",
        Renditions.Where(r => r.Format == format).Select(r => $"{(address is null ? r.Url : address(r.Url))} {r.Width}w"));

    /// <summary>The widest JPEG rendition up to <paramref name="width"/> pixels (the narrowest there is, when none is).</summary>
    public RenditionDto JpegUpTo(int width) =>
        Renditions.Where(r => r.Format == "jpg").OrderBy(r => r.Width > width).ThenByDescending(r => r.Width).First();

    /// <summary>How high a rendition <paramref name="width"/> pixels wide is (renditions keep the original's shape).</summary>
    public int HeightAt(int width) => (int)Math.Round(width * (double)Height / Width);

    public static readonly Expression<Func<Photo, PhotoDto>> Projection = p => new PhotoDto(
        p.Id, p.AltText, p.Decorative, p.Caption, p.Credit, p.Width, p.Height, p.MediaType, p.ByteSize,
        p.Sha256, p.DominantColor, p.FocalX, p.FocalY, p.UpdatedAt);

    private static readonly Func<Photo, PhotoDto> FromPhoto = Projection.Compile();

    public static PhotoDto From(Photo photo) => FromPhoto(photo);
}
