using System.ComponentModel.DataAnnotations;
using ContentApi.Api.Photos;
using ContentApi.Domain;

namespace ContentApi.Api.Quality;

/// <summary>The limits of the plain-language and accessibility checks (section <c>ContentQuality</c>).</summary>
public sealed class ContentQualityOptions
{
    public const string Section = "ContentQuality";

    /// <summary>Publishing (and an editor's read) warns when the text's LIX is this or more. 45: Difficult and harder.</summary>
    [Range(0, 1000)]
    public double LixWarningThreshold { get; set; } = 45;

    /// <summary>An alt text longer than this many characters is warned about.</summary>
    [Range(1, Photo.AltTextMaxLength)]
    public int AltTextMaxLength { get; set; } = 250;

    public ContentCheckLimits Limits => new(LixWarningThreshold, AltTextMaxLength);
}

/// <summary>
/// Content quality: LIX and the accessibility checks (Domain/Readability.cs, Domain/ContentChecks.cs), shown to editors
/// as warnings on their read of an article and in the publish answer.
/// </summary>
public static class ContentQuality
{
    public static void AddContentQuality(this IHostApplicationBuilder builder) =>
        builder.Services.AddOptions<ContentQualityOptions>().BindConfiguration(ContentQualityOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();

    /// <summary>The warnings about an article's content, with the photos it shows (by id).</summary>
    public static List<ContentWarning> Warnings(ContentQualityOptions options, double? lix, List<Block> body, PhotoDto? hero,
        IReadOnlyDictionary<Guid, PhotoDto> photos) =>
        ContentChecks.Check(lix, body, hero?.Id, photos.ToDictionary(p => p.Key, p => new PhotoText(p.Value.AltText, p.Value.Decorative, p.Value.Caption)),
            options.Limits);
}
