using Microsoft.AspNetCore.Http.HttpResults;

namespace ContentApi.Api.Hosting;

/// <summary>A page of a list with the total count and the address of the next page (null on the last page).</summary>
public record PagedList<T>(List<T> Items, int Page, int PageSize, int TotalCount, string? NextPage);

public static class Paging
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;
    /// <summary>Deep pages cost the database a long skip; nobody pages a million items by hand.</summary>
    public const int MaxOffset = 1_000_000;

    /// <summary>Checks page and pageSize; a validation problem that says what is wrong, or null when they are fine.</summary>
    public static ValidationProblem? Validate(int page, int pageSize)
    {
        var errors = new Dictionary<string, string[]>();
        if (page < 1)
            errors["page"] = [$"page must be 1 or more (got {page})."];
        if (pageSize is < 1 or > MaxPageSize)
            errors["pageSize"] = [$"pageSize must be between 1 and {MaxPageSize} (got {pageSize})."];
        else if (page >= 1 && (long)(page - 1) * pageSize > MaxOffset)
            errors["page"] = [$"page {page} is beyond the last page anyone can reach ({MaxOffset} items); filter the list instead."];
        return errors.Count == 0
            ? null
            : TypedResults.ValidationProblem(errors, detail: string.Join(" ", errors.Values.SelectMany(e => e)));
    }

    /// <summary>The same request with page + 1, or null when this is the last page.</summary>
    public static string? NextPageLink(HttpRequest request, int page, int pageSize, int totalCount)
    {
        if ((long)page * pageSize >= totalCount)
            return null;
        // Every value of a repeated parameter (?tag=a&tag=b) stays.
        var query = request.Query.ToDictionary(q => q.Key, q => q.Value, StringComparer.OrdinalIgnoreCase);
        query["page"] = (page + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        query["pageSize"] = pageSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return request.PathBase + request.Path + Microsoft.AspNetCore.Http.QueryString.Create(query);
    }
}
