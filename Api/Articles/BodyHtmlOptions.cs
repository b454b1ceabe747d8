using ContentApi.Api.Hosting;
using Microsoft.Extensions.Options;

namespace ContentApi.Api.Articles;

/// <summary>How images in an article's <c>bodyHtml</c> are written (section <c>BodyHtml</c>).</summary>
public sealed class BodyHtmlOptions
{
    public const string Section = "BodyHtml";

    /// <summary>
    /// The <c>sizes</c> of a body image: how wide the website shows it, from which the browser picks a rendition out of
    /// the srcset. The default suits a text column of at most 768 CSS pixels.
    /// </summary>
    public string ImageSizes { get; set; } = "(min-width: 768px) 768px, 100vw";

    /// <summary>
    /// What photo addresses start with: the public address (<c>PublicBaseUrl</c>, without its last slash) when one is
    /// configured, so a website on another host can use the HTML unchanged; empty otherwise (addresses relative to the API).
    /// Not a setting of this section: taken from <c>PublicBaseUrl</c>.
    /// </summary>
    public string PhotoBase { get; set; } = "";
}

public static class BodyHtmlSetup
{
    public static void AddBodyHtml(this IHostApplicationBuilder builder) =>
        builder.Services.AddOptions<BodyHtmlOptions>().BindConfiguration(BodyHtmlOptions.Section)
            .Configure<IConfiguration>((options, configuration) =>
                options.PhotoBase = PublicAddress.Read(configuration)?.AbsoluteUri.TrimEnd('/') ?? "")
            .Validate(options => !string.IsNullOrWhiteSpace(options.ImageSizes),
                $"{BodyHtmlOptions.Section}:{nameof(BodyHtmlOptions.ImageSizes)} may not be empty: it is the sizes attribute of images in bodyHtml, such as (min-width: 768px) 768px, 100vw.")
            .ValidateOnStart();
}
