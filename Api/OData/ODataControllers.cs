using ContentApi.Domain;
using ContentApi.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OData.Results;
using Microsoft.AspNetCore.OData.Routing.Controllers;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Api.OData;

// The DbContext's query filters decide what an anonymous reader sees, so these controllers only hand OData the sets:
// drafts cannot appear through $filter, $expand or a key.

/// <summary>Published articles.</summary>
public class ArticlesController(ContentDbContext db) : ODataController
{
    [ContentQuery]
    public IQueryable<Article> Get() => db.Articles.AsNoTracking();

    [ContentQuery]
    public SingleResult<Article> Get(Guid key) => SingleResult.Create(db.Articles.AsNoTracking().Where(a => a.Id == key));
}

/// <summary>Published citizen pledges.</summary>
public class PledgesController(ContentDbContext db) : ODataController
{
    [ContentQuery]
    public IQueryable<Pledge> Get() => db.Pledges.AsNoTracking();

    [ContentQuery]
    public SingleResult<Pledge> Get(Guid key) => SingleResult.Create(db.Pledges.AsNoTracking().Where(p => p.Id == key));
}

/// <summary>Photos used by published content.</summary>
public class PhotosController(ContentDbContext db) : ODataController
{
    [ContentQuery]
    public IQueryable<Photo> Get() => db.Photos.AsNoTracking();

    [ContentQuery]
    public SingleResult<Photo> Get(Guid key) => SingleResult.Create(db.Photos.AsNoTracking().Where(p => p.Id == key));
}

/// <summary>Contacts named by published content.</summary>
public class ContactsController(ContentDbContext db) : ODataController
{
    [ContentQuery]
    public IQueryable<Contact> Get() => db.Contacts.AsNoTracking();

    [ContentQuery]
    public SingleResult<Contact> Get(Guid key) => SingleResult.Create(db.Contacts.AsNoTracking().Where(c => c.Id == key));
}
