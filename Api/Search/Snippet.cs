using System.Text;

namespace ContentApi.Api.Search;

/// <summary>
/// A snippet safe to put in HTML: PostgreSQL's ts_headline marks hits between U+0002 and U+0003 in the plain text
/// (migration Search removes those characters from the text first); here the text is HTML-escaped and the marks become
/// &lt;mark&gt; elements, always closed. No other markup can reach the answer.
/// </summary>
public static class Snippet
{
    public const string Open = "<mark>", Close = "</mark>";

    public static string ToHtml(string? headline)
    {
        if (string.IsNullOrEmpty(headline))
            return "";
        var html = new StringBuilder(headline.Length + 32);
        var open = false;
        foreach (var c in headline)
        {
            switch (c)
            {
                case '\u0002' when !open:
                    html.Append(Open);
                    open = true;
                    break;
                case '\u0003' when open:
                    html.Append(Close);
                    open = false;
                    break;
                case '\u0002' or '\u0003':
                    break;
                case '&': html.Append("&amp;"); break;
                case '<': html.Append("&lt;"); break;
                case '>': html.Append("&gt;"); break;
                case '"': html.Append("&quot;"); break;
                case '\'': html.Append("&#39;"); break;
                default:
                    if (!char.IsControl(c) || c is '\n' or '\t')
                        html.Append(c);
                    break;
            }
        }
        if (open)
            html.Append(Close);
        return html.ToString();
    }
}
