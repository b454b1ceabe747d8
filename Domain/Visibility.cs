using System.Linq.Expressions;

namespace ContentApi.Domain;

/// <summary>
/// The one rule of what anonymous readers may see: published articles and pledges, and the photos and contacts such
/// content uses. Callers who may preview (any editorial role) see everything, in its newest version. The DbContext's
/// query filters and the compiled hot-path queries are built from these expressions; eviction asks
/// <see cref="IsPublic"/>.
/// </summary>
public static class Visibility
{
    public static bool IsPublic(ContentStatus status) => status == ContentStatus.Published;

    public static readonly Expression<Func<Article, bool>> PublicArticle = a => a.Status == ContentStatus.Published;

    public static readonly Expression<Func<Pledge, bool>> PublicPledge = p => p.Status == ContentStatus.Published;
}
