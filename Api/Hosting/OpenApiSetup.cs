using Microsoft.AspNetCore.OData.Query;
using Microsoft.OData.Edm;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ContentApi.Api.Hosting;

public static class OpenApiSetup
{
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
            });
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
            options.SupportNonNullableReferenceTypes();
            options.SchemaFilter<EdmSchemaFilter>();
            options.CustomSchemaIds(SchemaId);
        });
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
    private static readonly Microsoft.OData.Edm.IEdmModel Model = OData.EdmModelBuilder.Build();

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

/// <summary>Marks the operations that need a role: both ways to authenticate, and the role in the description.</summary>
public class SecurityRequirementFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var policies = context.ApiDescription.ActionDescriptor.EndpointMetadata
            .OfType<Microsoft.AspNetCore.Authorization.IAuthorizeData>().Select(a => a.Policy).OfType<string>().Distinct().ToList();
        if (policies.Count == 0)
            return;
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
        ("$skip", "Skip this many results.", JsonSchemaType.Integer),
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

        foreach (var path in document.Paths.Keys.ToList())
        {
            if (!path.StartsWith("/odata", StringComparison.Ordinal))
                continue;
            var keep = path is "/odata" or "/odata/$metadata"
                || System.Text.RegularExpressions.Regex.IsMatch(path, @"^/odata/\w+(\(\{key\}\))?$");
            if (!keep)
                document.Paths.Remove(path);
        }
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
