using ContentApi.Domain;

namespace ContentApi.Api.Photos;

/// <summary>
/// A photo's text alternatives (alt text, or decorative), caption and credit, and the focal point crops centre on
/// (fractions 0–1 of width and height; the middle when left out). The body of PUT, and the text fields of an upload.
/// </summary>
public record PhotoMetadataInput(string? AltText, bool Decorative, string? Caption, string? Credit, double? FocalX = null, double? FocalY = null)
{
    public static PhotoMetadataInput From(Photo p) => new(p.AltText, p.Decorative, p.Caption, p.Credit, p.FocalX, p.FocalY);

    /// <summary>Sets the photo's metadata to this input; what is wrong with it. <paramref name="fileName"/>: an upload's file name.</summary>
    public ValidationErrors ApplyTo(Photo photo, DateTimeOffset now, string? fileName = null) =>
        photo.Describe(AltText, Decorative, Caption, Credit, FocalX, FocalY, now, fileName);
}
