namespace ContentApi.Api.Reading;

/// <summary>
/// What each content type shows on its two faces, decided here: REST and OData show the same fields with the same
/// names and values, except the ones listed. The REST face adds values computed for the website and the app; the
/// OData face adds the keys of its navigation properties (REST embeds the item itself). Everything else an entity
/// holds (versions, pending versions, storage paths, creation times) is on neither face (<c>EdmModelBuilder</c>).
/// A test compares the two faces field by field against this list.
/// </summary>
public static class WireModel
{
    public sealed record Differences(string[] RestOnly, string[] ODataOnly);

    public static readonly IReadOnlyDictionary<string, Differences> Types = new Dictionary<string, Differences>
    {
        // bodyHtml and bodyPhotos are rendered from body; readingLevel is lix in words (OData filters and sorts lix);
        // warnings (editors only) are computed from the content and its photos.
        ["Article"] = new(["bodyHtml", "bodyPhotos", "readingLevel", "warnings"], ["heroPhotoId"]),
        // current and progress are computed from the dates and the commitments.
        ["Pledge"] = new(["current", "progress"], ["photoId", "contactId"]),
        ["PriorityArea"] = new(["progress"], []),
        // url and the srcset strings are ready-made addresses; OData lists the same renditions.
        ["Photo"] = new(["url", "srcsetWebp", "srcsetJpeg"], []),
        // phoneDisplay is the number as Swedes write it.
        ["Contact"] = new(["phoneDisplay"], []),
    };
}
