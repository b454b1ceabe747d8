using System.Buffers.Binary;
using System.Buffers.Text;
using ContentApi.Api.Hosting;
using ContentApi.Domain;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Api.Articles;

/// <summary>
/// Where the next page of an article list starts: after the last article of the page before, in the list's order
/// (publishedAt, then id, newest first), so PostgreSQL seeks in the (status, published_at, id) index instead of
/// stepping over every earlier row. It carries the number of the page it leads to, for the answer's <c>page</c>.
/// Opaque to clients (base64url of a version byte, the page, the publication time and the id): they follow
/// <c>nextPage</c> as it is.
/// </summary>
public readonly record struct ArticleCursor(int Page, DateTimeOffset? PublishedAt, Guid Id)
{
    private const byte Version = 1;
    private const int Length = 1 + 4 + 1 + 8 + 16;

    public string Encode()
    {
        Span<byte> bytes = stackalloc byte[Length];
        bytes[0] = Version;
        BinaryPrimitives.WriteInt32BigEndian(bytes[1..], Page);
        // Editors' lists hold drafts without a publication date (PostgreSQL puts them first, newest first).
        bytes[5] = PublishedAt is null ? (byte)0 : (byte)1;
        BinaryPrimitives.WriteInt64BigEndian(bytes[6..], PublishedAt?.UtcTicks ?? 0);
        Id.TryWriteBytes(bytes[14..]);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>The cursor the text stands for, or null when it is not one this API wrote.</summary>
    public static ArticleCursor? Decode(string text)
    {
        Span<byte> bytes = stackalloc byte[Length];
        if (text.Length != Base64Url.GetEncodedLength(Length)
            || !Base64Url.TryDecodeFromChars(text, bytes, out var written) || written != Length || bytes[0] != Version)
            return null;
        var page = BinaryPrimitives.ReadInt32BigEndian(bytes[1..]);
        var ticks = BinaryPrimitives.ReadInt64BigEndian(bytes[6..]);
        if (page < 2 || bytes[5] > 1 || ticks < 0 || ticks > DateTimeOffset.MaxValue.UtcTicks || (bytes[5] == 0 && ticks != 0))
            return null;
        return new ArticleCursor(page, bytes[5] == 1 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null, new Guid(bytes[14..]));
    }
}

public static class ArticlePaging
{
    /// <summary>
    /// A page number reaches this many articles at most (as common search APIs do): deeper, OFFSET would step over
    /// every earlier row; <c>nextPage</c> (a cursor) reaches any depth at the cost of the first page.
    /// </summary>
    public const int MaxNumberedItems = 10_000;

    /// <summary>Checks page, pageSize and cursor: a problem that says what is wrong, or null with the cursor (if any).</summary>
    public static ValidationProblem? Validate(HttpRequest request, int page, int pageSize, string? cursor, out ArticleCursor? after)
    {
        after = null;
        if (Paging.Validate(page, pageSize) is { } problem)
            return problem;
        string? error = null;
        if (cursor is not null)
        {
            after = ArticleCursor.Decode(cursor);
            if (after is null)
                error = "cursor is not one this API wrote: follow nextPage as it is, or start again without cursor.";
            else if (request.Query.ContainsKey("page"))
                error = "cursor says which page it leads to: give cursor or page, not both.";
        }
        else if ((long)page * pageSize > MaxNumberedItems)
            error = $"page {page} of {pageSize} reaches beyond the first {MaxNumberedItems} articles, which page numbers stop at: follow nextPage, which continues after the last article of its page at any depth, or filter the list.";
        if (error is null)
            return null;
        var field = cursor is null ? "page" : "cursor";
        return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [error] }, detail: error);
    }

    /// <summary>
    /// The articles after the cursor in the list's order (newest first, by publishedAt, then id): a row comparison
    /// PostgreSQL seeks to in the (status, published_at, id) index. Editors' undated drafts come first (PostgreSQL
    /// sorts nulls first when descending) and are continued by id.
    /// </summary>
    public static IQueryable<Article> After(this IQueryable<Article> query, ArticleCursor after)
    {
        var id = after.Id;
        if (after.PublishedAt is { } at)
            return query.Where(a => EF.Functions.LessThan(ValueTuple.Create(a.PublishedAt, a.Id), ValueTuple.Create((DateTimeOffset?)at, id)));
        return query.Where(a => a.PublishedAt != null || a.Id.CompareTo(id) < 0);
    }

    /// <summary>The next page's address: this request with the cursor after the last item instead of a page number.</summary>
    public static string NextPageLink(HttpRequest request, int page, ArticleSummaryDto last)
    {
        var query = request.Query.Where(q => !q.Key.Equals("page", StringComparison.OrdinalIgnoreCase) && !q.Key.Equals("cursor", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(q => q.Key, q => q.Value, StringComparer.OrdinalIgnoreCase);
        query["cursor"] = new ArticleCursor(page + 1, last.PublishedAt, last.Id).Encode();
        return request.PathBase + request.Path + QueryString.Create(query);
    }
}
