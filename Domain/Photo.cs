namespace ContentApi.Domain;

/// <summary>A picture with the text alternatives the accessibility law (DOS-lagen) asks for.</summary>
public class Photo
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
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
