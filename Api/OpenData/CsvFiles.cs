using System.Globalization;
using CsvHelper;

namespace ContentApi.Api.OpenData;

/// <summary>
/// CSV the way Swedish Excel opens it by double-click: UTF-8 with a byte order mark (without one Excel reads ANSI
/// and garbles å, ä, ö), semicolons between fields (a Swedish Excel's list separator, the comma being its decimal
/// sign), CRLF between records, fields with a semicolon, quote or line break in quotes with quotes doubled (RFC 4180;
/// CsvHelper), and dates as ISO 8601 in Swedish time, <c>2024-02-12 10:00:00</c>, which Excel reads as a date.
/// </summary>
/// <remarks>
/// Formula injection: a cell that begins with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a carriage return would
/// be run by Excel as a formula (<c>=HYPERLINK(…)</c> in a title). CsvHelper's <see cref="CsvInjection.Escape"/>
/// puts an apostrophe in front of such a cell, as OWASP advises, so Excel shows it as text; the apostrophe is then part of
/// the cell's text. Only texts written by editors can begin so; ids, dates, years and statuses never do.
/// </remarks>
public static class CsvFiles
{
    public const string ContentType = "text/csv; charset=utf-8";
    private static readonly TimeZoneInfo SwedishTime = TimeZoneInfo.FindSystemTimeZoneById("Europe/Stockholm");

    private static readonly CsvWriterOptions Options = CsvWriterOptions.Default with
    {
        Separator = ';',
        WriteByteOrderMark = true,
        Injection = CsvInjection.Escape,
    };

    /// <summary>A writer onto the stream (left open): the byte order mark comes with the first record.</summary>
    public static CsvWriter Open(Stream stream) => CsvWriter.Create(stream, Options, leaveOpen: true);

    /// <summary>A time as Excel reads a date in Sweden, in Swedish time; empty for none.</summary>
    public static string Time(DateTimeOffset? value) =>
        value is { } v ? TimeZoneInfo.ConvertTime(v, SwedishTime).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "";
}
