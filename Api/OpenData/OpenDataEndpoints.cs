using ContentApi.Api.Articles;
using ContentApi.Api.Feeds;
using ContentApi.Api.Hosting;
using ContentApi.Api.Reading;
using ContentApi.Domain;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace ContentApi.Api.OpenData;

/// <summary>
/// Open data under <c>/api/opendata</c>: the DCAT-AP-SE catalogue dataportal.se harvests (RDF/XML, or JSON-LD), and
/// the CSV files it lists, of the pledges' commitments and of the articles. Public by nature, like the feeds: they read
/// the delivery face whoever asks (<see cref="ContentReader.Public"/>), and are stored and evicted like every anonymous
/// read (<see cref="ContentFamily.OpenData"/>: a saved article or pledge evicts them).
/// </summary>
public static class OpenDataEndpoints
{
    public const string CatalogPath = ContentRoutes.OpenData + "/catalog";
    public const string ArticlesCsvPath = ContentRoutes.OpenData + "/articles.csv";
    public const string CommitmentsCsvPath = ContentRoutes.OpenData + "/commitments.csv";
    /// <summary>Articles read per statement while the CSV streams: a short statement each, memory bounded at any size.</summary>
    public const int ArticleBatch = 1000;

    public static void AddOpenData(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OpenDataOptions>().BindConfiguration(OpenDataOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<OpenDataOptions>, OpenDataOptionsValidation>();
    }

    public static void MapOpenData(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(ContentRoutes.OpenData).WithTags("Open data").WithMetadata(new PublicFaceOnly());
        group.MapGet("/catalog", Negotiated).WithName("getCatalog")
            .WithSummary("The DCAT-AP-SE catalogue of the API's datasets, for dataportal.se: RDF/XML, or JSON-LD when Accept asks for it.")
            .Produces<string>(StatusCodes.Status200OK, "application/rdf+xml", "application/ld+json")
            .ProducesProblem(StatusCodes.Status406NotAcceptable).AllowQuery();
        group.MapGet("/catalog.rdf", (HttpContext context, CancellationToken ct) => CatalogAsync(context, jsonLd: false, ct)).WithName("getCatalogRdfXml")
            .WithSummary("The DCAT-AP-SE catalogue as RDF/XML, the address to give dataportal.se.")
            .Produces<string>(StatusCodes.Status200OK, "application/rdf+xml").AllowQuery();
        group.MapGet("/catalog.jsonld", (HttpContext context, CancellationToken ct) => CatalogAsync(context, jsonLd: true, ct)).WithName("getCatalogJsonLd")
            .WithSummary("The DCAT-AP-SE catalogue as JSON-LD.")
            .Produces<string>(StatusCodes.Status200OK, "application/ld+json").AllowQuery();
        group.MapGet("/articles.csv", ArticlesCsv).WithName("getArticlesCsv")
            .WithSummary("Every published article as CSV for Excel (UTF-8 with BOM, semicolons), newest first; ?tag= for one tag.")
            .Produces<string>(StatusCodes.Status200OK, "text/csv").AllowQuery("tag");
        group.MapGet("/commitments.csv", CommitmentsCsv).WithName("getCommitmentsCsv")
            .WithSummary("The commitments of every published pledge as CSV for Excel (UTF-8 with BOM, semicolons); ?year= for one year.")
            .Produces<string>(StatusCodes.Status200OK, "text/csv").AllowQuery("year");
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Negotiated(HttpContext context, CancellationToken ct)
    {
        if (Negotiate(context.Request) is { } jsonLd)
            return await CatalogAsync(context, jsonLd, ct);
        return TypedResults.Problem(statusCode: StatusCodes.Status406NotAcceptable,
            detail: "The catalogue is RDF/XML (Accept: application/rdf+xml) or JSON-LD (Accept: application/ld+json); or ask for /api/opendata/catalog.rdf or .jsonld.");
    }

    /// <summary>True for JSON-LD, false for RDF/XML, null when Accept allows neither; no Accept is RDF/XML, what harvesters read.</summary>
    private static bool? Negotiate(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted) || accepted.Count == 0)
            return false;
        foreach (var type in accepted.Where(a => a.Quality is not 0).OrderByDescending(a => a.Quality ?? 1))
            switch (type.MediaType.Value?.ToLowerInvariant())
            {
                case "application/ld+json" or "application/json":
                    return true;
                case "application/rdf+xml" or "application/xml" or "text/xml" or "application/*" or "*/*":
                    return false;
            }
        return null;
    }

    private static async Task<FileContentHttpResult> CatalogAsync(HttpContext context, bool jsonLd, CancellationToken ct)
    {
        var facts = await Catalog.ReadAsync(ContentReader.Public(context), ct);
        var graph = Catalog.Build(context.RequestServices.GetRequiredService<IOptions<OpenDataOptions>>().Value, facts,
            path => Absolute(context.Request, path));
        return jsonLd ? TypedResults.Bytes(Rdf.JsonLd(graph), Rdf.JsonLdContentType) : TypedResults.Bytes(Rdf.RdfXml(graph), Rdf.RdfXmlContentType);
    }

    /// <summary>
    /// The API's own absolute address of a path, from the public address when PublicBaseUrl is set, without a default
    /// port (which the public host carries): the catalogue's identifiers must be the same IRIs every time.
    /// </summary>
    private static string Absolute(HttpRequest request, string path) =>
        new Uri(UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, path)).AbsoluteUri;

    /// <param name="context"></param>
    /// <param name="tag">Only the articles with this tag, e.g. "trygghet".</param>
    /// <param name="ct"></param>
    private static Results<PushStreamHttpResult, ValidationProblem> ArticlesCsv(HttpContext context, string? tag, CancellationToken ct)
    {
        if (tag is not null && (string.IsNullOrWhiteSpace(tag) || tag.Length > Article.TagMaxLength))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["tag"] = [$"A tag is 1 to {Article.TagMaxLength} characters, not blank."] },
                detail: $"A tag is 1 to {Article.TagMaxLength} characters, not blank.");
        var reader = ContentReader.Public(context);
        var site = context.RequestServices.GetRequiredService<IOptions<SiteOptions>>().Value;
        var request = context.Request;
        return TypedResults.Stream(stream => WriteArticlesAsync(stream, reader, tag,
                (id, slug) => site.ArticleUrl(id, slug) ?? Absolute(request, $"{ContentRoutes.Articles}/{id}"), ct),
            CsvFiles.ContentType, "nyheter.csv");
    }

    /// <summary>
    /// Streams the articles in the list's order, a batch per statement continued after the last one (the list's cursor),
    /// so neither the server nor PostgreSQL holds the whole list and no statement runs long: the anonymous statement
    /// timeout bounds each batch, not the download.
    /// </summary>
    private static async Task WriteArticlesAsync(Stream stream, ContentReader reader, string? tag, Func<Guid, string, string> url, CancellationToken ct)
    {
        await using var csv = CsvFiles.Open(stream);
        csv.WriteHeader("id", "title", "slug", "lead", "summary", "tags", "publishedAt", "updatedAt", "url");
        var query = reader.Articles;
        if (tag is not null)
            query = query.Where(a => a.Tags.Contains(tag));
        ArticleCursor? after = null;
        while (true)
        {
            var batch = await (after is { } cursor ? query.After(cursor) : query)
                .OrderByDescending(a => a.PublishedAt).ThenByDescending(a => a.Id).Take(ArticleBatch)
                .Select(a => new { a.Id, a.Title, a.Slug, a.Lead, a.Summary, a.Tags, a.PublishedAt, a.UpdatedAt }).ToListAsync(ct);
            foreach (var a in batch)
                await csv.WriteRecordAsync([a.Id.ToString(), a.Title, a.Slug, a.Lead, a.Summary ?? "", string.Join(", ", a.Tags), CsvFiles.Time(a.PublishedAt),
                    CsvFiles.Time(a.UpdatedAt), url(a.Id, a.Slug)], ct);
            await csv.FlushAsync(ct);
            if (batch.Count < ArticleBatch)
                return;
            after = new ArticleCursor(0, batch[^1].PublishedAt, batch[^1].Id);
        }
    }

    /// <param name="context"></param>
    /// <param name="year">Only this year's pledge, e.g. 2024.</param>
    /// <param name="ct"></param>
    private static async Task<FileContentHttpResult> CommitmentsCsv(HttpContext context, int? year, CancellationToken ct)
    {
        var query = ContentReader.Public(context).Pledges;
        if (year is { } y)
            query = query.Where(p => p.Year == y);
        var pledges = await query.OrderByDescending(p => p.Year).Select(p => new { p.Year, p.PriorityAreas }).ToListAsync(ct);
        using var buffer = new MemoryStream();
        await using (var csv = CsvFiles.Open(buffer))
        {
            csv.WriteHeader("year", "priorityArea", "commitment", "responsibleParty", "status", "id");
            foreach (var pledge in pledges)
                foreach (var area in pledge.PriorityAreas)
                    foreach (var commitment in area.Commitments)
                        csv.WriteRecord(pledge.Year.ToString(System.Globalization.CultureInfo.InvariantCulture), area.Title, commitment.Text,
                            commitment.ResponsibleParty, commitment.Status.ToString(), commitment.Id.ToString());
        }
        return TypedResults.File(buffer.ToArray(), CsvFiles.ContentType, year is null ? "medborgarloften-ataganden.csv" : $"medborgarlofte-{year}-ataganden.csv");
    }
}
