using System.Reflection;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Api.Reading;

/// <summary>
/// The one reader: which content this caller may see, and in which version. Anonymous callers read the delivery face
/// (<see cref="DeliveryDbContext"/>, the model of <see cref="ContentDbContext"/>: published content,
/// <see cref="Visibility"/>); callers who may preview read the
/// preview face (<see cref="PreviewDbContext"/>: everything, each article and pledge in its newest version, pending
/// changes included, marked with <c>hasPendingChanges</c>). Every read path (REST items and lists, OData sets, keys,
/// $expand and $count) reads through it. Answers to callers with credentials are never stored by shared caches
/// (the response store marks them <c>private, no-store</c>). Both faces read through read-only connections where the hot
/// reads are prepared (<see cref="PreparedReads"/>); writes go through <see cref="ContentDbContext"/> (Infrastructure/DependencyInjection.cs says why).
/// </summary>
/// <remarks>A minimal-API handler takes it as a parameter (bound from the request); a controller calls <see cref="For"/>.</remarks>
public sealed class ContentReader
{
    private readonly IServiceProvider _services;
    private readonly HttpContext _context;

    private ContentReader(HttpContext context, bool preview)
    {
        _services = context.RequestServices;
        _context = context;
        Preview = preview;
    }

    /// <summary>True when the caller reads the preview face (<see cref="Auth.Caller.MayPreview"/>).</summary>
    public bool Preview { get; }

    public static ContentReader For(HttpContext context) =>
        context.Items.TryGetValue(typeof(ContentReader), out var reader) && reader is ContentReader known
            ? known
            : (ContentReader)(context.Items[typeof(ContentReader)] = new ContentReader(context, Auth.Caller.MayPreview(context.User)));

    /// <summary>
    /// The delivery face whoever asks: for answers that are public by nature (the feeds, the app's sync), where nobody,
    /// an editor with a key included, is shown a draft.
    /// </summary>
    public static ContentReader Public(HttpContext context) => new(context, preview: false);

    public static ValueTask<ContentReader?> BindAsync(HttpContext context, ParameterInfo parameter) => ValueTask.FromResult<ContentReader?>(For(context));

    /// <summary>
    /// The face this caller reads; resolved on first use, so an anonymous read never rents a preview context. The
    /// delivery face is read on the standby when the response store found it current for this request
    /// (<see cref="StandbyReads"/>), else on the primary (editors, the sync, webhooks, everything outside the store).
    /// </summary>
    public ContentDbContext Db => Preview ? _services.GetRequiredService<PreviewDbContext>()
        : StandbyReads.Chosen(_context) ? _services.GetRequiredService<StandbyDbContext>()
        : _services.GetRequiredService<DeliveryDbContext>();

    public TimeProvider Clock => _services.GetRequiredService<TimeProvider>();

    /// <summary>The request's services, for settings that shape what is read (options such as how bodyHtml writes images).</summary>
    public IServiceProvider Services => _services;

    // A photo or contact reached from an article or pledge the caller sees is seen because that content uses it (the
    // rule of Visibility): reads that start from them skip the per-row check of the photos and contacts they embed,
    // which PostgreSQL would otherwise run for every row of a list (measured: 10 ms of PostgreSQL per page of 20).
    // Articles and pledges reached from them are still filtered.
    internal static readonly string[] UsedByPublished = [ContentDbContext.UsedByPublished];

    public IQueryable<Article> Articles => Db.Articles.IgnoreQueryFilters(UsedByPublished).AsNoTracking();
    public IQueryable<Pledge> Pledges => Db.Pledges.IgnoreQueryFilters(UsedByPublished).AsNoTracking();

    /// <summary>
    /// The search vectors of this face (the pending version's for the preview face). No visibility of their own: join
    /// them to <see cref="Articles"/> or <see cref="Pledges"/>, which decide what the caller may find.
    /// </summary>
    public IQueryable<Infrastructure.Search.SearchDocument> SearchDocuments => Db.Set<Infrastructure.Search.SearchDocument>().AsNoTracking();

    /// <summary>A row per tag of each article the caller sees (<see cref="ArticleTag"/>).</summary>
    public IQueryable<ArticleTag> ArticleTags => Articles.SelectMany(a => a.Tags, (a, tag) => new ArticleTag
        { ArticleId = a.Id, Tag = tag, Status = a.Status, PublishedAt = a.PublishedAt, UpdatedAt = a.UpdatedAt });
    // Anonymous reads of photos and contacts check each one once, at the root of the query, by the delivery face's own
    // rule: what an OData $expand reaches from them (a contact's articles, and those articles' photos and contacts) is
    // then read as from articles (measured: a page of 20 contacts with 20 articles each and their photos and contacts,
    // ~0.9 s of PostgreSQL with the per-row checks inside the expansion).
    public IQueryable<Photo> Photos => Preview
        ? Db.Photos.AsNoTracking()
        : Db.Photos.IgnoreQueryFilters(UsedByPublished).Where(Db.PhotoUsedByPublished).AsNoTracking();

    public IQueryable<Contact> Contacts => Preview
        ? Db.Contacts.AsNoTracking()
        : Db.Contacts.IgnoreQueryFilters(UsedByPublished).Where(Db.ContactUsedByPublished).AsNoTracking();
}

/// <summary>Endpoint metadata: the endpoint reads through <see cref="ContentReader.Public"/>, whoever asks (OpenAPI says so).</summary>
public sealed class PublicFaceOnly;
