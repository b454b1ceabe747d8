using System.Text.Json.Serialization;
using ContentApi.Api;
using ContentApi.Api.Articles;
using ContentApi.Api.Auth;
using ContentApi.Api.Caching;
using ContentApi.Api.Changes;
using ContentApi.Api.Admin;
using ContentApi.Api.Contacts;
using ContentApi.Api.Editorial;
using ContentApi.Api.Feeds;
using ContentApi.Domain;
using ContentApi.Api.Hosting;
using ContentApi.Api.OData;
using ContentApi.Api.OpenData;
using ContentApi.Api.Photos;
using ContentApi.Api.Pledges;
using ContentApi.Api.Quality;
using ContentApi.Api.Tags;
using ContentApi.Api.Webhooks;
using ContentApi.Api.Sync;
using ContentApi.Api.Search;
using ContentApi.Infrastructure;
using ContentApi.Infrastructure.Images;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.OData;
using Microsoft.AspNetCore.OData.Query;
using Microsoft.AspNetCore.OData.Query.Expressions;

var builder = WebApplication.CreateBuilder(args);
// Administrative commands (migrate, apikey …) keep standard output for their result.
Commands.ConfigureLogging(builder, args);

// Storage: PostgreSQL through EF Core, photo files on disk.
builder.AddInfrastructure();

// Errors: every client error is RFC 9457 problem+json.
builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = ProblemDefaults.Fill);
builder.Services.AddSingleton<IProblemDetailsWriter, ProblemJsonFallbackWriter>();
builder.Services.AddExceptionHandler<ProblemDetailsExceptionHandler>();
// Database outages: 503 with Retry-After, logged once per outage (Hosting/DatabaseOutage.cs).
builder.AddDatabaseOutage();
builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);

// JSON: camelCase, enums by name, ISO 8601 dates.
builder.Services.ConfigureHttpJsonOptions(options => JsonSetup.Configure(options.SerializerOptions));

// OData for integrators, with the same camelCase names as REST.
builder.Services.AddControllers()
    .AddJsonOptions(options => JsonSetup.Configure(options.JsonSerializerOptions))
    .AddOData(options => options
        .AddRouteComponents(ContentRoutes.ODataPrefix, EdmModelBuilder.Build(), services => services
            .AddSingleton<SkipTokenHandler, NextLinks>().AddSingleton<ISelectExpandBinder, ContentSelectExpandBinder>()
            .AddSingleton<ISearchBinder, ContentSearchBinder>()
            // An enum member may be written as a plain string ('Draft') in every comparison, not only in eq.
            .AddSingleton<Microsoft.OData.UriParser.ODataUriResolver>(new Microsoft.OData.UriParser.StringAsEnumResolver()))
        .Select().Filter().Expand().OrderBy().Count().SkipToken().SetMaxTop(ContentQueryAttribute.MaxPageSize));

// Behind a proxy: the public address (PublicBaseUrl) and the hosts answered (AllowedHosts).
builder.AddPublicAddress();

// Who may write: API keys and the municipality's OpenID Connect tokens, with editor, publisher and admin roles.
builder.AddContentAuth();

// The client behind trusted proxies, rate limits per address and per credential, refusals counted for the audit log.
builder.AddForwardedClient();
builder.AddRateLimits();
builder.AddAuditLog();
builder.AddChangeLog();
// Eviction across instances: changes committed through any instance evict here too (Changes/ChangeListener.cs).
builder.AddChangeListener();

builder.AddWebhooks();

// Photos: upload limits, and the sweep of files no photo uses.
builder.Services.Configure<ImageOptions>(builder.Configuration.GetSection(ImageOptions.Section));
builder.Services.AddSingleton<PhotoSweeper>();
builder.Services.AddHostedService(services => services.GetRequiredService<PhotoSweeper>());

// Scheduled publishing, carried out in the background.
builder.Services.Configure<ScheduleOptions>(builder.Configuration.GetSection(ScheduleOptions.Section));
builder.Services.AddSingleton<ScheduleRunner>();
builder.Services.AddHostedService(services => services.GetRequiredService<ScheduleRunner>());

// Article bodies as HTML, images responsive from the photos' renditions (BodyHtml:ImageSizes).
builder.AddBodyHtml();

// RSS and Atom feeds of the newest articles, linking to the website (Site:ArticleUrlTemplate).
builder.AddFeeds();
// Open data: the DCAT-AP-SE catalogue for dataportal.se and CSV files for Excel (OpenData:*).
builder.AddOpenData();

// Content quality: LIX and accessibility warnings for editors (ContentQuality section).
builder.AddContentQuality();

// OpenAPI document and Swagger UI (served when OpenApi:Enabled, by default in Development).
builder.Services.AddOpenApiDocument();

// Browsers and TLS: CORS, nosniff, Swagger UI's CSP, no-store on errors; HSTS and HTTPS redirection when configured.
builder.AddWebSecurity();

// Delivery: compression, the server's output cache (evicted on save), HTTP caching headers.
builder.Services.AddDelivery(builder.Configuration);

// Health: live is the process, ready is the database too, and a first read of each kind done (Warmup).
builder.Services.Configure<WarmupOptions>(builder.Configuration.GetSection(WarmupOptions.Section));
builder.Services.AddSingleton<Warmup>();
builder.Services.AddHostedService(services => services.GetRequiredService<Warmup>());
builder.Services.AddHealthChecks().AddDbContextCheck<ContentDbContext>("database", tags: ["ready"])
    .AddCheck<Warmup>("warmup", tags: ["ready"]);
// Deploys: not ready at SIGTERM, then a drain period for requests in flight (Hosting/Shutdown.cs).
builder.AddShutdown();

var app = builder.Build();

if (await Commands.TryRunAsync(app, args))
    return;
if (app.Environment.IsDevelopment())
    await Commands.PrepareDevelopmentDatabaseAsync(app);

// The client's address and scheme from trusted proxies, before anything uses them.
app.UseForwardedClient();
app.UseExceptionHandler(new ExceptionHandlerOptions
{
    // Errors the client caused are answered with a 4xx; they are not the server's errors to log as such.
    SuppressDiagnosticsCallback = context => context.ExceptionHandledBy == ExceptionHandledType.ExceptionHandlerService,
});
// CORS and security headers first, so that every answer below (a 429, a refused host too) carries them; the HTTPS
// redirect and HSTS look at the connection's own scheme, before PublicBaseUrl says https.
app.UseWebSecurity();
// Behind a proxy: links and stored answers from PublicBaseUrl, never from the Host header.
app.UsePublicAddress();
// Rate limits count every request, stored answers too.
app.UseRateLimits();
// Malformed headers (Prefer, a Content-Type's charset) are 4xx before anything reads them.
app.UseRequestChecks();
app.UseShutdownDrain();
// Anonymous reads of content are answered from the store before anything else runs (kept compressed as sent), or made,
// given their caching headers and stored; reads with credentials are private.
app.UseMiddleware<ResponseStoreMiddleware>();
app.UseStatusCodePages();
app.UseResponseCompression();
app.UseRouting();
app.UseAuthentication();
app.UseCredentialCheck();
app.UseAuthorization();

app.UseOpenApiDocument();

app.MapArticles();
app.MapArticleWrites();
app.MapPledges();
app.MapPledgeWrites();
app.MapPhotos();
app.MapPhotoWrites();
app.MapPhotoUploads();
app.MapRenditions();
app.MapContacts();
app.MapContactWrites();
app.MapFeeds();
app.MapTags();
app.MapOpenData();
app.MapSync();
app.MapSearch();
app.MapSchedules(ContentRoutes.Articles, ContentKind.Article, "Articles: editing");
app.MapSchedules(ContentRoutes.Pledges, ContentKind.Pledge, "Pledges: editing");
app.MapAdmin();
app.MapWebhooks();
app.MapControllers();
app.MapHealth();

app.Run();

/// <summary>The entry point, public for the tests' WebApplicationFactory.</summary>
public partial class Program;
