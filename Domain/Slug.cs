using System.Globalization;
using System.Text;

namespace ContentApi.Domain;

/// <summary>URL slugs made from Swedish titles: "Nytt medborgarlöfte för 2024" → "nytt-medborgarlofte-for-2024".</summary>
public static class Slug
{
    public const int MaxLength = 120;

    public static string FromTitle(string title)
    {
        var builder = new StringBuilder(title.Length);
        var pendingDash = false;
        // Decomposing turns å, ä, ö, é into a base letter plus a combining mark we can drop.
        foreach (var c in title.Normalize(NormalizationForm.FormD).ToLowerInvariant())
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
                continue;
            if (c is (>= 'a' and <= 'z') or (>= '0' and <= '9'))
            {
                if (pendingDash && builder.Length > 0)
                    builder.Append('-');
                builder.Append(c);
                pendingDash = false;
            }
            else if (c == 'ß')
            {
                builder.Append("ss");
            }
            else
            {
                pendingDash = true;
            }
            if (builder.Length >= MaxLength)
                break;
        }
        return builder.ToString().TrimEnd('-');
    }

    public static bool IsValid(string slug) =>
        slug.Length is > 0 and <= MaxLength
        && slug.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')
        && !slug.StartsWith('-') && !slug.EndsWith('-') && !slug.Contains("--");
}
