using System.Data.Common;
using System.Runtime.CompilerServices;
using ContentApi.Domain;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace ContentApi.Api.Caching;

/// <summary>
/// After content is saved, evicts the answers that can contain it, and forgets every count. A save inside a
/// transaction evicts once more when the transaction commits: an anonymous read between the save and the commit
/// still sees the old content and may have stored it again.
/// </summary>
internal sealed class EvictOnSave(Eviction eviction, CountCache counts)
    : SaveChangesInterceptor, IDbTransactionInterceptor, IDbCommandInterceptor
{
    private static readonly AsyncLocal<HashSet<ContentKind>?> Changed = new();
    private readonly ConditionalWeakTable<DbTransaction, HashSet<ContentKind>> _uncommitted = new();

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Changed.Value = Kinds(eventData.Context);
        return base.SavingChangesAsync(eventData, result, cancellationToken);
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result,
        CancellationToken cancellationToken = default)
    {
        var kinds = Changed.Value ?? [];
        Changed.Value = null;
        Evict(kinds);
        if (kinds.Count > 0 && eventData.Context?.Database.CurrentTransaction?.GetDbTransaction() is { } transaction)
            lock (_uncommitted)
                _uncommitted.GetOrCreateValue(transaction).UnionWith(kinds);
        return await base.SavedChangesAsync(eventData, result, cancellationToken);
    }

    Task IDbTransactionInterceptor.TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData,
        CancellationToken cancellationToken)
    {
        Committed(transaction, eventData);
        return Task.CompletedTask;
    }

    void IDbTransactionInterceptor.TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) =>
        Committed(transaction, eventData);

    private void Committed(DbTransaction transaction, TransactionEndEventData eventData)
    {
        var kinds = Uncommitted(transaction);
        if (!ReadOnly(eventData.Context))
            Evict(kinds);
    }

    /// <summary>
    /// The faces that read (delivery, standby, preview): their sessions are read-only, so a command or a commit of
    /// theirs changed nothing (a search's SET LOCAL and its transaction) and forgets no count.
    /// </summary>
    private static bool ReadOnly(DbContext? context) => context is Infrastructure.DeliveryDbContext or Infrastructure.PreviewDbContext;

    Task IDbTransactionInterceptor.TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData,
        CancellationToken cancellationToken)
    {
        Uncommitted(transaction);
        return Task.CompletedTask;
    }

    void IDbTransactionInterceptor.TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Uncommitted(transaction);

    // Npgsql reuses a connection's transaction object, and one disposed without a rollback leaves its entry behind.
    ValueTask<DbTransaction> IDbTransactionInterceptor.TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData,
        DbTransaction result, CancellationToken cancellationToken)
    {
        Uncommitted(result);
        return ValueTask.FromResult(result);
    }

    DbTransaction IDbTransactionInterceptor.TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        Uncommitted(result);
        return result;
    }

    // ExecuteUpdate, ExecuteDelete and other writes that do not go through SaveChanges change counts too.
    ValueTask<int> IDbCommandInterceptor.NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result,
        CancellationToken cancellationToken)
    {
        if (!ReadOnly(eventData.Context))
            counts.Clear();
        return ValueTask.FromResult(result);
    }

    int IDbCommandInterceptor.NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        if (!ReadOnly(eventData.Context))
            counts.Clear();
        return result;
    }

    private HashSet<ContentKind> Uncommitted(DbTransaction transaction)
    {
        lock (_uncommitted)
        {
            if (!_uncommitted.TryGetValue(transaction, out var kinds))
                return [];
            _uncommitted.Remove(transaction);
            return kinds;
        }
    }

    private void Evict(HashSet<ContentKind> kinds) => eviction.Evict(kinds);

    private static HashSet<ContentKind> Kinds(DbContext? context)
    {
        if (context is null)
            return [];
        var entries = context.ChangeTracker.Entries().ToList();
        var articles = entries.Where(e => e.Entity is Article).ToDictionary(e => ((Article)e.Entity).Id);
        return
        [
            .. entries
                .Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted && SeenByReaders(e, articles))
                .Select(e => e.Entity switch
                {
                    Article or ArticleContact or SlugRedirect => ContentKind.Article,
                    Pledge => ContentKind.Pledge,
                    Photo => ContentKind.Photo,
                    Contact => ContentKind.Contact,
                    _ => (ContentKind?)null,
                })
                .OfType<ContentKind>(),
        ];
    }

    /// <summary>
    /// Whether anonymous readers can see the change. An article or pledge that is published neither before nor
    /// after it (a draft being written, an archived one) is invisible to them, and so is a published article's
    /// pending version; so are the contacts linked to such an article, and photos and contacts that are new or
    /// deleted. Anything else, or anything not known for sure, evicts.
    /// </summary>
    private static bool SeenByReaders(EntityEntry entry, Dictionary<Guid, EntityEntry> articles) => entry.Entity switch
    {
        Article or Pledge => Published(entry) is not (false, false)
            && !(entry.State == EntityState.Modified && OnlyThePendingVersionChanged(entry)),
        ArticleContact link => !articles.TryGetValue(link.ArticleId, out var article) || Published(article) is not (false, false),
        // A photo or contact is public only while published content uses it, and the database lets none be used
        // before it exists or deleted while used: a new or deleted one is seen by nobody (its users evict).
        Photo or Contact => entry.State == EntityState.Modified,
        _ => true,
    };

    /// <summary>Whether the content was published before the change and is after it (true when not known).</summary>
    private static (bool Before, bool After) Published(EntityEntry entry)
    {
        var status = entry.Property(nameof(Article.Status));
        // Marked modified with the same value on both sides (an entity attached with Update): the stored one is unknown.
        if (entry.State == EntityState.Modified && status.IsModified && Equals(status.OriginalValue, status.CurrentValue))
            return (true, true);
        return (entry.State != EntityState.Added && status.OriginalValue is ContentStatus before && Visibility.IsPublic(before),
            entry.State != EntityState.Deleted && status.CurrentValue is ContentStatus after && Visibility.IsPublic(after));
    }

    // Navigations are left out: a changed reference shows in its foreign key, a changed link in an ArticleContact.
    private static bool OnlyThePendingVersionChanged(EntityEntry entry) =>
        Published(entry) is (true, true)
        && entry.Members.Where(member => member.IsModified && member.Metadata is not INavigationBase)
            .All(member => member.Metadata.Name is nameof(Article.PendingChanges) or nameof(Article.Version));
}
