using Microsoft.AspNetCore.OData.Query;
using Microsoft.OData.Edm;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ContentApi.Api.Hosting;

public static class OpenApiSetup
{
    /// <summary>
    /// The server the document names: scripts/run's address, the default base address of a generated client. A
    /// deployment serves the same paths on its own host, so the document served there names no server, and Swagger UI
    /// calls the host it was loaded from.
    /// </summary>
    public const string DevelopmentServer = "http://localhost:5080";

    public static void AddOpenApiDocument(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "ContentApi – Sölvesborgs kommun",
                Version = "v1",
                Description = "News articles, citizen pledges (medborgarlöften), photos and contacts of Sölvesborgs kommun. "
                    + "REST under /api for the website and the app; OData v4 under /odata for integrators.",
                Contact = new OpenApiContact
                {
                    Name = "Sölvesborgs kommun, webbredaktionen",
                    Url = new Uri("https://solvesborg.se"),
                },
            });
            options.AddServer(new OpenApiServer { Url = DevelopmentServer, Description = "A developer's machine (scripts/run)." });
            var xml = Path.Combine(AppContext.BaseDirectory, "Api.xml");
            if (File.Exists(xml))
                options.IncludeXmlComments(xml);
            options.AddSecurityDefinition("ApiKey", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = "X-Api-Key",
                Description = "An API key made by an admin (POST /api/admin/api-keys) or with `apikey create`.",
            });
            options.AddSecurityDefinition("Bearer", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "A token from the municipality's OpenID Connect provider, with the role in its roles claim.",
            });
            options.OperationFilter<ODataQueryOptionsFilter>();
            options.OperationFilter<SecurityRequirementFilter>();
            options.DocumentFilter<ODataPathsFilter>();
            options.DocumentFilter<TagsFilter>();
            options.SupportNonNullableReferenceTypes();
            options.SchemaFilter<EdmSchemaFilter>();
            options.CustomSchemaIds(SchemaId);
        });
    }

    /// <summary>Where Swagger UI and the document are served.</summary>
    public const string UiPath = "/swagger";

    /// <summary>
    /// The document at /swagger/v1/swagger.json (without servers, see <see cref="DevelopmentServer"/>) and Swagger UI,
    /// when <c>OpenApi:Enabled</c> says so: by default in Development only, since the document lists every route, the
    /// administrative ones too.
    /// </summary>
    public static void UseOpenApiDocument(this WebApplication app)
    {
        if (!app.Configuration.GetValue("OpenApi:Enabled", app.Environment.IsDevelopment()))
            return;
        app.UseSwagger(options => options.PreSerializeFilters.Add((document, _) => document.Servers = null));
        app.UseSwaggerUI(options => options.DocumentTitle = "ContentApi – Sölvesborgs kommun");
    }

    // PagedList<ArticleSummaryDto> becomes "ArticleSummaryDtoPagedList".
    private static string SchemaId(Type type) => type.IsGenericType
        ? string.Concat(type.GetGenericArguments().Select(SchemaId)) + type.Name[..type.Name.IndexOf('`')]
        : type.Name;
}

/// <summary>
/// OData entities are domain classes; the document shows only the properties the EDM model exposes, so internal
/// fields (a photo's storage path) never appear as if clients could read them.
/// </summary>
public class EdmSchemaFilter : ISchemaFilter
{
    internal static readonly Microsoft.OData.Edm.IEdmModel Model = OData.EdmModelBuilder.Build();

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (context.Type.Namespace != typeof(Domain.Article).Namespace || schema is not OpenApiSchema { Properties: { } properties })
            return;
        if (Model.FindDeclaredType($"ContentApi.{context.Type.Name}") is not Microsoft.OData.Edm.IEdmStructuredType edmType)
            return;
        var exposed = edmType.Properties().Select(p => p.Name).ToHashSet();
        foreach (var name in properties.Keys.Where(name => !exposed.Contains(name)).ToList())
            properties.Remove(name);
    }
}

/// <summary>
/// Says in every operation's description who may call it. Operations that need a role also name both ways to
/// authenticate.
/// </summary>
public class SecurityRequirementFilter : IOperationFilter
{
    public const string Anonymous = "No credentials needed: anonymous callers get published content. With credentials (any role) "
        + "drafts and pending versions are included (preview), answered `Cache-Control: private, no-store`.";
    public const string PublicOnly = "No credentials needed: published content only, whoever asks (credentials show no draft here; "
        + "their answers are `Cache-Control: private, no-store`).";

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var policies = context.ApiDescription.ActionDescriptor.EndpointMetadata
            .OfType<Microsoft.AspNetCore.Authorization.IAuthorizeData>().Select(a => a.Policy).OfType<string>().Distinct().ToList();
        if (policies.Count == 0)
        {
            var who = context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<Reading.PublicFaceOnly>().Any() ? PublicOnly : Anonymous;
            operation.Description = operation.Description is { Length: > 0 } own ? $"{own} {who}" : who;
            return;
        }
        // The strictest policy on the endpoint is the one that decides.
        var role = policies.Contains(Auth.AuthSetup.Admin) ? "admin" : policies.Contains(Auth.AuthSetup.Publisher) ? "publisher" : "editor";
        operation.Description = $"Requires the {role} role.{(operation.Description is { Length: > 0 } d ? " " + d : "")}";
        operation.Security =
        [
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("ApiKey", context.Document)] = [] },
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", context.Document)] = [] },
        ];
    }
}

/// <summary>Documents the OData system query options on every action that accepts them.</summary>
public class ODataQueryOptionsFilter : IOperationFilter
{
    private static readonly (string Name, string Description, JsonSchemaType Type)[] CollectionOptions =
    [
        ("$filter", "Filter, e.g. `publishedAt ge 2024-01-01T00:00:00Z and tags/any(t: t eq 'trygghet')`.", JsonSchemaType.String),
        ("$select", "Properties to return, e.g. `title,slug,publishedAt`.", JsonSchemaType.String),
        ("$expand", "Related entities, with nested options, e.g. `heroPhoto($select=altText)`. At most 2 levels.", JsonSchemaType.String),
        ("$orderby", "Sort order, e.g. `publishedAt desc,title`.", JsonSchemaType.String),
        ("$top", "At most this many results (1–100).", JsonSchemaType.Integer),
        ("$skip", $"Skip this many results, at most {Articles.ArticlePaging.MaxNumberedItems}; deeper, follow `@odata.nextLink`, which continues by `$skiptoken`.", JsonSchemaType.Integer),
        ("$count", "true to include `@odata.count`, the total number of matches.", JsonSchemaType.Boolean),
        ("$skiptoken", "Where the next page starts; comes in `@odata.nextLink`: follow that link rather than writing one.", JsonSchemaType.String),
    ];

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (!context.MethodInfo.GetCustomAttributes(true).OfType<EnableQueryAttribute>().Any())
            return;
        var single = context.MethodInfo.GetParameters().Any(p => p.Name == "key");
        operation.Parameters ??= [];
        foreach (var (name, description, type) in CollectionOptions)
        {
            if (single && name is not ("$select" or "$expand"))
                continue;
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = name,
                In = ParameterLocation.Query,
                Description = description,
                Required = false,
                Schema = new OpenApiSchema { Type = type },
            });
        }
    }
}

/// <summary>
/// OData's conventional routing registers several spellings of each route (Articles/{key}, Articles({key}),
/// /$count, ...); the document keeps the canonical ones so clients see one way to call each.
/// </summary>
public class ODataPathsFilter : IDocumentFilter
{
    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        Describe(document, "/odata/$metadata", "The CSDL XML description of every entity set, type and property.", "application/xml");
        Describe(document, "/odata", "The OData service document: the entity sets.", "application/json");
        // The schemas of OData's internal model types are referenced only by the two responses replaced above.
        foreach (var id in document.Components?.Schemas?.Keys.Where(k => k.StartsWith("IEdm") || k.StartsWith("Edm") || k.StartsWith("OData") && !k.StartsWith("ODataCollection")).ToList() ?? [])
            document.Components!.Schemas!.Remove(id);
        // A pledge's pending version is held by the entity, whose schema shows only what the EDM exposes: it is on no wire.
        document.Components?.Schemas?.Remove(nameof(Domain.PledgeContent));

        foreach (var path in document.Paths.Keys.ToList())
        {
            if (!path.StartsWith("/odata", StringComparison.Ordinal))
                continue;
            var keep = path is "/odata" or "/odata/$metadata"
                || System.Text.RegularExpressions.Regex.IsMatch(path, @"^/odata/\w+(\(\{key\}\))?$");
            if (!keep)
                document.Paths.Remove(path);
            else if (document.Paths[path].Operations?.GetValueOrDefault(HttpMethod.Get) is OpenApiOperation read)
                Name(read, path);
        }
    }

    /// <summary>
    /// The operation ids of OData's routes follow the EDM: <c>odataListArticles</c> for a set, <c>odataGetArticle</c> for one
    /// entity by key. OData's own route names (<c>odata/Articles({key})</c>) are not URL-safe.
    /// </summary>
    private static void Name(OpenApiOperation operation, string path)
    {
        var segment = path["/odata".Length..].TrimStart('/');
        if (segment is "" or "$metadata")
        {
            operation.OperationId = segment == "" ? "odataServiceDocument" : "odataMetadata";
            operation.Summary = operation.Responses?["200"].Description;
            operation.Description = "No credentials needed; the same for every caller.";
            return;
        }
        var byKey = segment.EndsWith("({key})", StringComparison.Ordinal);
        var set = byKey ? segment[..^"({key})".Length] : segment;
        var type = EdmSchemaFilter.Model.EntityContainer.FindEntitySet(set)?.EntityType.Name ?? set;
        operation.OperationId = byKey ? $"odataGet{type}" : $"odataList{set}";
        operation.Summary = byKey ? $"One {type} by key (OData)." : $"{set}, queried with OData.";
        var what = byKey
            ? $"One {type} by key, in OData JSON; `$select` and `$expand` apply."
            : $"The {set} entity set in OData JSON, with OData's query options; at most {OData.ContentQueryAttribute.MaxPageSize} a page, "
                + "the next page in `@odata.nextLink`.";
        operation.Description = $"{what} {operation.Description}".TrimEnd();
    }

    private static void Describe(OpenApiDocument document, string path, string description, string mediaType)
    {
        if (!document.Paths.TryGetValue(path, out var item) || item.Operations is null)
            return;
        foreach (var operation in item.Operations.Values)
        {
            operation.Responses = new OpenApiResponses
            {
                ["200"] = new OpenApiResponse
                {
                    Description = description,
                    Content = new Dictionary<string, IOpenApiMediaType>
                    {
                        [mediaType] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
                    },
                },
            };
            operation.Tags = new HashSet<OpenApiTagReference> { new("OData", document) };
        }
    }
}

/// <summary>Declares every tag the operations use, with a description, as OpenAPI asks (tools group operations by them).</summary>
public class TagsFilter : IDocumentFilter
{
    private static readonly Dictionary<string, string> Descriptions = new()
    {
        ["Articles"] = "News articles: lists, one by id or slug. Published ones for everyone; drafts for editors.",
        ["Articles: editing"] = "Writing, publishing and scheduling articles, and their revisions.",
        ["Pledges"] = "The yearly citizen pledges (medborgarlöften): priority areas, commitments and progress.",
        ["Pledges: editing"] = "Writing, publishing and scheduling pledges, and their revisions.",
        ["Photos"] = "Photos with alt text, caption and credit; their files and responsive renditions.",
        ["Photos: editing"] = "Uploading photos and changing their metadata, and their revisions.",
        ["Contacts"] = "Contact persons named by articles and pledges.",
        ["Contacts: editing"] = "Managing contact persons, and their revisions.",
        ["Feeds"] = "RSS 2.0 and Atom 1.0 feeds of the newest published articles, all or with one tag.",
        ["Administration"] = "API keys, the audit log, the photo file sweep and erasure of a person's data (admins).",
        ["OData"] = "The OData service document and metadata; the entity sets are under their content type.",
    };

    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        var used = document.Paths.Values.SelectMany(path => path.Operations?.Values.AsEnumerable() ?? [])
            .SelectMany(operation => operation.Tags ?? new HashSet<OpenApiTagReference>())
            .Select(tag => tag.Name).OfType<string>().Distinct().Order(StringComparer.Ordinal);
        document.Tags = new HashSet<OpenApiTag>(used.Select(name => new OpenApiTag
        {
            Name = name,
            Description = Descriptions.GetValueOrDefault(name),
        }));
    }
}
