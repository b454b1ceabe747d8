using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using ContentApi.Api.Photos;
using ContentApi.Domain;

namespace ContentApi.Api.Articles;

/// <summary>
/// Renders an article body as HTML for the website. Every piece of user text is HTML-encoded: editors write text,
/// never markup, so nothing an editor types can inject script into the municipality's pages.
/// </summary>
public static class BodyHtml
{
    // images: how images are written; the defaults (relative addresses) when left out.
    public static string Render(IEnumerable<Block> blocks, IReadOnlyDictionary<Guid, PhotoDto> photos, BodyHtmlOptions? images = null)
    {
        images ??= DefaultImages;
        var html = new StringBuilder();
        foreach (var block in blocks)
        {
            switch (block.Type)
            {
                case BlockType.Paragraph:
                    html.Append("<p>").Append(Encode(block.Text)).Append("</p>\n");
                    break;
                case BlockType.Heading:
                    var level = Math.Clamp(block.Level ?? 2, 2, 4);
                    html.Append($"<h{level}>").Append(Encode(block.Text)).Append($"</h{level}>\n");
                    break;
                case BlockType.Quote:
                    html.Append("<blockquote><p>").Append(Encode(block.Text)).Append("</p>");
                    if (!string.IsNullOrWhiteSpace(block.Attribution))
                        html.Append("<footer>").Append(Encode(block.Attribution)).Append("</footer>");
                    html.Append("</blockquote>\n");
                    break;
                case BlockType.List:
                    var tag = block.Ordered == true ? "ol" : "ul";
                    html.Append('<').Append(tag).Append('>');
                    foreach (var item in block.Items ?? [])
                        html.Append("<li>").Append(Encode(item)).Append("</li>");
                    html.Append("</").Append(tag).Append(">\n");
                    break;
                case BlockType.Link when IsSafeUrl(block.Url):
                    html.Append("<p><a href=\"").Append(Encode(block.Url)).Append("\">")
                        .Append(Encode(string.IsNullOrWhiteSpace(block.Text) ? block.Url : block.Text)).Append("</a></p>\n");
                    break;
                case BlockType.Image when block.PhotoId is { } id && photos.TryGetValue(id, out var photo):
                    AppendFigure(html, photo, block.Caption, images);
                    break;
            }
        }
        return html.ToString();
    }

    private static readonly BodyHtmlOptions DefaultImages = new();

    /// <summary>The widest rendition a browser that reads no srcset is given.</summary>
    public const int FallbackWidth = 960;

    /// <summary>
    /// A responsive image from the photo's renditions (the same as heroPhoto's): WebP for every browser that takes it
    /// (a third to a half smaller than JPEG at the same quality), JPEG for the others, each in every width, and the
    /// browser picks the width from <c>sizes</c>. Width and height are the fallback's, so the page keeps the image's
    /// place before it loads. Lazy: the body is below the hero, mostly out of view when the page opens.
    /// </summary>
    private static void AppendFigure(StringBuilder html, PhotoDto photo, string? caption, BodyHtmlOptions images)
    {
        var alt = photo.Decorative ? "" : photo.AltText;
        string Address(string path) => images.PhotoBase + path;
        var fallback = photo.JpegUpTo(FallbackWidth);
        var sizes = Encode(images.ImageSizes);
        html.Append("<figure><picture><source type=\"image/webp\" srcset=\"").Append(Encode(photo.Srcset("webp", Address)))
            .Append("\" sizes=\"").Append(sizes).Append("\">")
            .Append("<img src=\"").Append(Encode(Address(fallback.Url))).Append("\" srcset=\"").Append(Encode(photo.Srcset("jpg", Address)))
            .Append("\" sizes=\"").Append(sizes).Append("\" alt=\"").Append(Encode(alt))
            .Append("\" width=\"").Append(fallback.Width).Append("\" height=\"").Append(photo.HeightAt(fallback.Width))
            .Append("\" loading=\"lazy\" decoding=\"async\"></picture>");
        var text = caption ?? photo.Caption;
        if (!string.IsNullOrWhiteSpace(text) || !string.IsNullOrWhiteSpace(photo.Credit))
        {
            html.Append("<figcaption>").Append(Encode(text));
            if (!string.IsNullOrWhiteSpace(photo.Credit))
                html.Append(" <small>").Append(Encode(photo.Credit)).Append("</small>");
            html.Append("</figcaption>");
        }
        html.Append("</figure>\n");
    }

    /// <summary>Only web and mail links: a javascript: URL in a stored body is never rendered as a link.</summary>
    public static bool IsSafeUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "mailto";

    // Escapes markup characters but keeps å, ä and ö readable in the page source.
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    private static string Encode(string? text) => Encoder.Encode(text ?? "");
}
