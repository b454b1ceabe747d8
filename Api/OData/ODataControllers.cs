using ContentApi.Api.Reading;
using ContentApi.Domain;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.OData.Results;
using Microsoft.AspNetCore.OData.Routing.Controllers;

namespace ContentApi.Api.OData;

// The one reader decides what the caller sees, so these controllers only hand OData its sets: drafts cannot appear
// through $filter, $expand or a key, and editors see each article and pledge in the version they work on.

public abstract class ContentODataController : ODataController
{
    protected ContentReader Reader => ContentReader.For(HttpContext);
}

/// <summary>Published articles.</summary>
public class ArticlesController : ContentODataController
{
    [ContentQuery]
    [ProducesResponseType<ODataCollection<Article>>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public IQueryable<Article> Get() => Reader.Articles;

    [ContentQuery]
    [ProducesResponseType<Article>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public SingleResult<Article> Get(Guid key) => SingleResult.Create(Reader.Articles.Where(a => a.Id == key));
}

/// <summary>Published citizen pledges.</summary>
public class PledgesController : ContentODataController
{
    [ContentQuery]
    [ProducesResponseType<ODataCollection<Pledge>>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public IQueryable<Pledge> Get() => Reader.Pledges;

    [ContentQuery]
    [ProducesResponseType<Pledge>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public SingleResult<Pledge> Get(Guid key) => SingleResult.Create(Reader.Pledges.Where(p => p.Id == key));

    /// <summary>The articles about a pledge: where an expanded pledge's articles@odata.nextLink leads.</summary>
    [ContentQuery]
    [ProducesResponseType<ODataCollection<Article>>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [HttpGet("odata/Pledges({key})/articles")]
    [HttpGet("odata/Pledges/{key}/articles")]
    public async Task<IActionResult> GetArticles(Guid key) => await Reader.Pledges.AnyAsync(p => p.Id == key, HttpContext.RequestAborted)
        ? Ok(Reader.Articles.Where(a => a.PledgeId == key))
        : NotFound();
}

/// <summary>One row per tag of each published article: group these to count articles per tag.</summary>
public class ArticleTagsController : ContentODataController
{
    [ContentQuery]
    [ProducesResponseType<ODataCollection<ArticleTag>>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public IQueryable<ArticleTag> Get() => Reader.ArticleTags;
}

/// <summary>Photos used by published content.</summary>
public class PhotosController : ContentODataController
{
    [ContentQuery]
    [ProducesResponseType<ODataCollection<Photo>>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public IQueryable<Photo> Get() => Reader.Photos;

    [ContentQuery]
    [ProducesResponseType<Photo>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public SingleResult<Photo> Get(Guid key) => SingleResult.Create(Reader.Photos.Where(p => p.Id == key));
}

/// <summary>Contacts named by published content.</summary>
public class ContactsController : ContentODataController
{
    [ContentQuery]
    [ProducesResponseType<ODataCollection<Contact>>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public IQueryable<Contact> Get() => Reader.Contacts;

    [ContentQuery]
    [ProducesResponseType<Contact>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public SingleResult<Contact> Get(Guid key) => SingleResult.Create(Reader.Contacts.Where(c => c.Id == key));

    /// <summary>The articles that name a contact: where an expanded contact's articles@odata.nextLink leads.</summary>
    [ContentQuery]
    [ProducesResponseType<ODataCollection<Article>>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [HttpGet("odata/Contacts({key})/articles")]
    [HttpGet("odata/Contacts/{key}/articles")]
    public async Task<IActionResult> GetArticles(Guid key) => await Reader.Contacts.AnyAsync(c => c.Id == key, HttpContext.RequestAborted)
        ? Ok(Reader.Articles.Where(a => a.Contacts.Any(c => c.Id == key)))
        : NotFound();
}

/// <summary>The tags of published articles with their counts (<see cref="Tags.TagEndpoints"/>), whoever asks.</summary>
public class TagsController : ContentODataController
{
    [ContentQuery]
    [ProducesResponseType<ODataCollection<Tags.Tag>>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public IQueryable<Tags.Tag> Get() => Tags.TagEndpoints.Query(ContentReader.Public(HttpContext));

    [ContentQuery]
    [ProducesResponseType<Tags.Tag>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public SingleResult<Tags.Tag> Get(string key) =>
        SingleResult.Create(Tags.TagEndpoints.Query(ContentReader.Public(HttpContext)).Where(t => t.Name == key));
}

/// <summary>Published articles per tag and month of publication (<see cref="Tags.TagMonth"/>), whoever asks.</summary>
public class TagMonthsController : ContentODataController
{
    [ContentQuery]
    [ProducesResponseType<ODataCollection<Tags.TagMonth>>(StatusCodes.Status200OK, "application/json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public IQueryable<Tags.TagMonth> Get() => Tags.TagMonth.Query(ContentReader.Public(HttpContext));
}
