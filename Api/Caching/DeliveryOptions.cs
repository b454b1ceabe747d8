namespace ContentApi.Api.Caching;

public class CompressionOptions
{
    public const string Section = "Compression";

    /// <summary>Bodies smaller than this are sent uncompressed.</summary>
    public int MinimumBytes { get; set; } = 1024;
}

public class HttpCachingOptions
{
    public const string Section = "HttpCaching";

    /// <summary>How long browsers and CDNs may use a published answer without asking again.</summary>
    public int MaxAgeSeconds { get; set; } = 60;
    /// <summary>How long after that they may still use it while they revalidate in the background.</summary>
    public int StaleWhileRevalidateSeconds { get; set; } = 300;
}
