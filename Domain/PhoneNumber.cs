namespace ContentApi.Domain;

/// <summary>Swedish phone numbers: stored as E.164 ("+46456816220"), shown as Swedes write them ("0456-81 62 20").</summary>
public static class PhoneNumber
{
    // Area codes (without the trunk 0) shorter than the usual three digits; everything else is three.
    private static readonly string[] OneDigitAreas = ["8"];
    private static readonly string[] TwoDigitAreas =
        ["11", "13", "16", "18", "19", "21", "23", "26", "31", "33", "35", "36", "40", "42", "44", "46", "54", "60", "63", "90",
         "70", "72", "73", "76", "79"];

    /// <summary>Parses "0456-81 62 20", "+46 456 81 62 20" or "0046456816220" into E.164; null when it is not a Swedish number.</summary>
    public static string? TryNormalize(string input)
    {
        var digits = new string(input.Where(char.IsAsciiDigit).ToArray());
        var trimmed = input.Trim();
        string national;
        if (trimmed.StartsWith('+'))
        {
            if (!digits.StartsWith("46")) return null;
            national = digits[2..];
        }
        else if (digits.StartsWith("0046"))
            national = digits[4..];
        else if (digits.StartsWith('0'))
            national = digits[1..];
        else
            return null;
        if (input.Any(c => !char.IsAsciiDigit(c) && c is not (' ' or '-' or '+' or '(' or ')')))
            return null;
        national = national.TrimStart('0');
        // Swedish national significant numbers are 7 to 9 digits long (without the trunk 0).
        return national.Length is >= 7 and <= 9 ? "+46" + national : null;
    }

    public static bool IsE164Swedish(string value) =>
        value.StartsWith("+46") && value.Length is >= 10 and <= 12 && value[1..].All(char.IsAsciiDigit);

    public static string ToSwedishDisplay(string e164)
    {
        if (!IsE164Swedish(e164)) return e164;
        var national = e164[3..];
        var areaLength = OneDigitAreas.Any(national.StartsWith) ? 1
            : TwoDigitAreas.Any(national.StartsWith) ? 2
            : 3;
        var area = national[..areaLength];
        var subscriber = national[areaLength..];
        return $"0{area}-{GroupSubscriber(subscriber)}";
    }

    private static string GroupSubscriber(string s) => s.Length switch
    {
        5 => $"{s[..3]} {s[3..]}",
        6 => $"{s[..2]} {s[2..4]} {s[4..]}",
        7 => $"{s[..3]} {s[3..5]} {s[5..]}",
        8 => $"{s[..3]} {s[3..6]} {s[6..]}",
        _ => s,
    };
}
