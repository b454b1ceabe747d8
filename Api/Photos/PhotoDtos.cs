using System.Linq.Expressions;
using ContentApi.Domain;

namespace ContentApi.Api.Photos;

/// <summary>A photo's metadata; <c>url</c> is where its file is served.</summary>
public record PhotoDto(
    Guid Id, string AltText, bool Decorative, string? Caption, string? Credit,
    int Width, int Height, string MediaType, long ByteSize, DateTimeOffset UpdatedAt)
{
    /// <summary>The original file, relative to the API's base address.</summary>
    public string Url => PhotoEndpoints.FileUrl(Id);

    public static readonly Expression<Func<Photo, PhotoDto>> Projection = p => new PhotoDto(
        p.Id, p.AltText, p.Decorative, p.Caption, p.Credit, p.Width, p.Height, p.MediaType, p.ByteSize, p.UpdatedAt);

    private static readonly Func<Photo, PhotoDto> FromPhoto = Projection.Compile();

    public static PhotoDto From(Photo photo) => FromPhoto(photo);
}
