namespace ContentApi.Domain;

/// <summary>A picture with the text alternatives the accessibility law (DOS-lagen) asks for.</summary>
public class Photo : IVersioned
{
    public const int AltTextMaxLength = 500;
    public const int CaptionMaxLength = 500;
    public const int CreditMaxLength = 200;
    public const int MediaTypeMaxLength = 100;
    public const int StoragePathMaxLength = 300;

    public Guid Id { get; set; }
    /// <summary>What the picture shows, read aloud by screen readers.</summary>
    public string AltText { get; set; } = "";
    /// <summary>True when the picture is decoration only and carries no meaning (then AltText may be empty).</summary>
    public bool Decorative { get; set; }
    public string? Caption { get; set; }
    /// <summary>Photographer or source, e.g. "Foto: Sölvesborgs kommun".</summary>
    public string? Credit { get; set; }
    public int Width { get; set; }
    public int Height { get; set; }
    public string MediaType { get; set; } = "";
    public long ByteSize { get; set; }
    /// <summary>Where the original file lives, relative to the configured storage folder. Never sent to clients.</summary>
    public string StoragePath { get; set; } = "";
    /// <summary>Hex SHA-256 of the stored file: its address in storage, and part of its renditions' URLs.</summary>
    public string Sha256 { get; set; } = "";
    /// <summary>The picture's average colour, "#rrggbb", for the app to paint before the image arrives.</summary>
    public string DominantColor { get; set; } = "#808080";
    /// <summary>Where crops centre, as fractions of the width and height (0.5, 0.5 is the middle).</summary>
    public double FocalX { get; set; } = 0.5;
    public double FocalY { get; set; } = 0.5;
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public int Version { get; set; } = 1;

    public void NextVersion() => Version++;

    /// <summary>The formats renditions are made in.</summary>
    public static readonly string[] RenditionFormats = ["webp", "jpg"];

    /// <summary>
    /// How the hosting application addresses a rendition (photo id, version, width, format → URL). Domain knows no
    /// routes: the API sets this once at start-up, so every face of it (REST, OData) hands out the same addresses.
    /// </summary>
    public static Func<Guid, string, int, string, string> RenditionAddress { get; set; } =
        (_, _, _, _) => throw new InvalidOperationException("No rendition address is set: the API sets Photo.RenditionAddress at start-up.");

    /// <summary>Every rendition of this photo, ready to use in srcset.</summary>
    public List<PhotoRendition> Renditions => [.. AvailableWidths().SelectMany(width => RenditionFormats
        .Select(format => new PhotoRendition { Width = width, Format = format, Url = RenditionAddress(Id, RenditionVersion, width, format) }))];

    /// <summary>The widths renditions are made in; never wider than the original.</summary>
    public static readonly int[] RenditionWidths = [160, 320, 480, 640, 960, 1280, 1920, 2560];

    public IEnumerable<int> AvailableWidths() => AvailableWidths(Width);

    /// <summary>The rendition widths for an original this wide (at least the smallest, for tiny originals).</summary>
    public static IEnumerable<int> AvailableWidths(int originalWidth)
    {
        var widths = RenditionWidths.Where(w => w <= originalWidth).ToList();
        return widths.Count > 0 ? widths : [originalWidth];
    }

    /// <summary>
    /// Changes whenever the file or the focal point does, so a rendition's address can be cached forever: a new
    /// picture gets new addresses.
    /// </summary>
    public string RenditionVersion => VersionOf(Sha256, FocalX, FocalY);

    public static string VersionOf(string sha256, double focalX, double focalY) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(FormattableString.Invariant($"{sha256}|{focalX:0.####}|{focalY:0.####}"))))[..16];

    // Words that describe nothing: alt text must say what the picture shows.
    private static readonly HashSet<string> EmptyWords = new(StringComparer.OrdinalIgnoreCase)
        { "bild", "foto", "fotografi", "image", "photo", "picture", "img", "alt", "alt-text", "alttext", "bild saknas", "ingen bild" };

    /// <summary>Checks the text alternatives the accessibility law asks for.</summary>
    public ValidationErrors ValidateMetadata(string? fileName = null)
    {
        var errors = new ValidationErrors();
        var alt = AltText.Trim();
        if (!Decorative)
        {
            if (alt.Length == 0)
                errors.Add("altText", "altText is required: describe what the picture shows, or mark the photo decorative.");
            else if (EmptyWords.Contains(alt.TrimEnd('.')) || alt.Length < 5)
                errors.Add("altText", $"'{alt}' does not say what the picture shows; describe it in a sentence.");
            else if (LooksLikeFileName(alt) || (fileName is not null && string.Equals(alt, fileName, StringComparison.OrdinalIgnoreCase)))
                errors.Add("altText", "altText may not be a file name; describe what the picture shows.");
        }
        errors.MaxLength("altText", AltText, AltTextMaxLength);
        errors.MaxLength("caption", Caption, CaptionMaxLength);
        errors.MaxLength("credit", Credit, CreditMaxLength);
        if (FocalX is < 0 or > 1 || double.IsNaN(FocalX))
            errors.Add("focalX", "focalX is a fraction of the width, from 0 to 1.");
        if (FocalY is < 0 or > 1 || double.IsNaN(FocalY))
            errors.Add("focalY", "focalY is a fraction of the height, from 0 to 1.");
        return errors;
    }

    /// <summary>
    /// Sets the text alternatives, caption, credit and focal point the way every write does (upload, PUT, PATCH,
    /// restore): texts trimmed, an empty caption or credit is none, the focal point the middle when left out. Returns
    /// what is wrong with them; <paramref name="fileName"/> is the uploaded file's name, which alt text may not be.
    /// </summary>
    public ValidationErrors Describe(string? altText, bool decorative, string? caption, string? credit, double? focalX, double? focalY,
        DateTimeOffset now, string? fileName = null)
    {
        AltText = altText?.Trim() ?? "";
        Decorative = decorative;
        Caption = NullIfBlank(caption);
        Credit = NullIfBlank(credit);
        FocalX = focalX ?? 0.5;
        FocalY = focalY ?? 0.5;
        UpdatedAt = now;
        return ValidateMetadata(fileName);
    }

    /// <summary>Makes <paramref name="file"/> this photo's picture (a new upload, or a replacement with the same id and texts).</summary>
    public void UseFile(PhotoFile file, DateTimeOffset now)
    {
        StoragePath = file.StoragePath;
        Sha256 = file.Sha256;
        ByteSize = file.ByteSize;
        MediaType = file.MediaType;
        Width = file.Width;
        Height = file.Height;
        DominantColor = file.DominantColor;
        UpdatedAt = now;
    }

    private static string? NullIfBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    /// <summary>True when the photo has the text alternative that publishing needs.</summary>
    public bool HasTextAlternative => Decorative || ValidateMetadata().IsEmpty;

    private static bool LooksLikeFileName(string text) =>
        !text.Contains(' ') && System.Text.RegularExpressions.Regex.IsMatch(text, @"\.(jpe?g|png|webp|gif|heic|tiff?)$", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
}

/// <summary>One size and format a photo is offered in.</summary>
public class PhotoRendition
{
    public int Width { get; set; }
    public string Format { get; set; } = "";
    public string Url { get; set; } = "";
}

/// <summary>A cleaned picture in storage, with what a photo records of it.</summary>
public record PhotoFile(string StoragePath, string Sha256, long ByteSize, string MediaType, int Width, int Height, string DominantColor);
