using ContentApi.Api.Auth;
using ContentApi.Domain;
using ContentApi.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OData.Results;
using Microsoft.AspNetCore.OData.Routing.Controllers;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Api.OData;

// The DbContext's query filters decide what an anonymous reader sees, so these controllers only hand OData the sets:
// drafts cannot appear through $filter, $expand or a key.

/// <summary>Editors preview drafts through the same routes; their answers are never stored by shared caches.</summary>
public abstract class ContentODataController : ODataController
{
    protected IQueryable<T> Visible<T>(DbSet<T> set) where T : class
    {
        if (!User.CanPreview())
            return set;
        Response.Headers.CacheControl = "private, no-store";
        return set.IgnoreQueryFilters();
    }
}

/// <summary>Published articles.</summary>
public class ArticlesController(ContentDbContext db) : ContentODataController
{
    [ContentQuery]
    [ProducesResponseType<ODataCollection<Article>>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public IQueryable<Article> Get() => Visible(db.Articles).AsNoTracking();

    [ContentQuery]
    [ProducesResponseType<Article>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public SingleResult<Article> Get(Guid key) => SingleResult.Create(Visible(db.Articles).AsNoTracking().Where(a => a.Id == key));
}

/// <summary>Published citizen pledges.</summary>
public class PledgesController(ContentDbContext db) : ContentODataController
{
    [ContentQuery]
    [ProducesResponseType<ODataCollection<Pledge>>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public IQueryable<Pledge> Get() => Visible(db.Pledges).AsNoTracking();

    [ContentQuery]
    [ProducesResponseType<Pledge>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public SingleResult<Pledge> Get(Guid key) => SingleResult.Create(Visible(db.Pledges).AsNoTracking().Where(p => p.Id == key));
}

/// <summary>Photos used by published content.</summary>
public class PhotosController(ContentDbContext db) : ContentODataController
{
    [ContentQuery]
    [ProducesResponseType<ODataCollection<Photo>>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public IQueryable<Photo> Get() => Visible(db.Photos).AsNoTracking();

    [ContentQuery]
    [ProducesResponseType<Photo>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public SingleResult<Photo> Get(Guid key) => SingleResult.Create(Visible(db.Photos).AsNoTracking().Where(p => p.Id == key));
}

/// <summary>Contacts named by published content.</summary>
public class ContactsController(ContentDbContext db) : ContentODataController
{
    [ContentQuery]
    [ProducesResponseType<ODataCollection<Contact>>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public IQueryable<Contact> Get() => Visible(db.Contacts).AsNoTracking();

    [ContentQuery]
    [ProducesResponseType<Contact>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public SingleResult<Contact> Get(Guid key) => SingleResult.Create(Visible(db.Contacts).AsNoTracking().Where(c => c.Id == key));
}
