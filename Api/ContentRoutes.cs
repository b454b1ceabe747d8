using ContentApi.Domain;

namespace ContentApi.Api;

/// <summary>The groups of answers the server's store files content under; a saved change evicts whole families.</summary>
public enum ContentFamily
{
    Articles,
    Pledges,
    Photos,
    Contacts,
    OData,
    /// <summary>The RSS and Atom feeds of articles (<c>/api/feeds</c>).</summary>
    Feeds,
    /// <summary>The app's sync (<c>/api/sync</c>): every change can show in it.</summary>
    Sync,
    /// <summary>The tags of published articles with their counts (<c>/api/tags</c>).</summary>
    Tags,
    /// <summary>Search (<c>/api/search</c>): articles and pledges.</summary>
    Search,
    /// <summary>Open data (<c>/api/opendata</c>): the DCAT-AP-SE catalogue and the CSV files of articles and commitments.</summary>
    OpenData,
    /// <summary>Anything else under <c>/api</c>: evicted with everything, never by a change of one kind.</summary>
    Other,
}

/// <summary>
/// The routes of content, written once: the endpoints map their groups at these prefixes, the store files answers by
/// them, and eviction asks which families can show a changed kind of content.
/// </summary>
public static class ContentRoutes
{
    public const string Articles = "/api/articles";
    public const string Pledges = "/api/pledges";
    public const string Photos = "/api/photos";
    public const string Contacts = "/api/contacts";
    public const string Feeds = "/api/feeds";
    public const string Sync = "/api/sync";
    public const string Tags = "/api/tags";
    public const string Search = "/api/search";
    public const string OpenData = "/api/opendata";
    public const string Admin = "/api/admin";
    /// <summary>The OData route component (<c>AddRouteComponents</c> takes it without the slash).</summary>
    public const string ODataPrefix = "odata";
    public const string OData = "/" + ODataPrefix;
    private const string Api = "/api";

    private static readonly (PathString Prefix, ContentFamily Family)[] Families =
    [
        (Articles, ContentFamily.Articles), (Pledges, ContentFamily.Pledges), (Photos, ContentFamily.Photos),
        (Contacts, ContentFamily.Contacts), (OData, ContentFamily.OData), (Feeds, ContentFamily.Feeds),
        (Sync, ContentFamily.Sync), (Tags, ContentFamily.Tags), (Search, ContentFamily.Search), (OpenData, ContentFamily.OpenData),
    ];

    /// <summary>
    /// What each kind of content can appear in: its own routes, the routes that embed it, and every OData answer
    /// ($expand can reach anything). Articles and pledges also decide which photos and contacts are public at all
    /// (the visibility rule: one a published article or pledge uses). The feeds show articles and their hero photos; the
    /// sync shows every change; the tags count published articles; search shows articles and pledges (their text only);
    /// open data shows articles and pledges (the CSV files, the catalogue's modified dates), never a photo or contact.
    /// </summary>
    public static IReadOnlyList<ContentFamily> Showing(ContentKind kind) => kind switch
    {
        ContentKind.Article =>
            [ContentFamily.Articles, ContentFamily.Pledges, ContentFamily.Photos, ContentFamily.Contacts, ContentFamily.OData, ContentFamily.Feeds, ContentFamily.Sync,
                ContentFamily.Tags, ContentFamily.Search, ContentFamily.OpenData],
        ContentKind.Pledge =>
            [ContentFamily.Articles, ContentFamily.Pledges, ContentFamily.Photos, ContentFamily.Contacts, ContentFamily.OData, ContentFamily.Sync,
                ContentFamily.Search, ContentFamily.OpenData],
        ContentKind.Photo => [ContentFamily.Photos, ContentFamily.Articles, ContentFamily.Pledges, ContentFamily.OData, ContentFamily.Feeds, ContentFamily.Sync],
        ContentKind.Contact => [ContentFamily.Contacts, ContentFamily.Articles, ContentFamily.Pledges, ContentFamily.OData, ContentFamily.Sync],
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "No routes show this kind of content."),
    };

    /// <summary>The family an answer to this path is filed under, whatever its case: routing ignores case, and so must eviction.</summary>
    public static ContentFamily FamilyOf(PathString path)
    {
        foreach (var (prefix, family) in Families)
            if (path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase))
                return family;
        return ContentFamily.Other;
    }

    /// <summary>The routes of content: REST and OData, not admin.</summary>
    public static bool IsContent(PathString path) =>
        (path.StartsWithSegments(Api, StringComparison.OrdinalIgnoreCase) || IsOData(path))
        && !path.StartsWithSegments(Admin, StringComparison.OrdinalIgnoreCase);

    public static bool IsOData(PathString path) => path.StartsWithSegments(OData, StringComparison.OrdinalIgnoreCase);

    /// <summary>A photo's file or rendition: streamed from disk with an ETag and Cache-Control of its own.</summary>
    public static bool IsFile(PathString path) =>
        path.Value is { } value && (value.EndsWith("/file", StringComparison.OrdinalIgnoreCase)
            || value.Contains("/renditions/", StringComparison.OrdinalIgnoreCase));
}
