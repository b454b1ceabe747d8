using Microsoft.EntityFrameworkCore;

namespace ContentApi.Infrastructure;

/// <summary>
/// The delivery face as anonymous readers read it: the model and query filters of <see cref="ContentDbContext"/>, on
/// the read connections (<see cref="DependencyInjection.ReadConnectionString"/>: read-only sessions where the hot reads
/// are prepared, <see cref="PreparedReads"/>), in a pool of their own whose statements PostgreSQL cancels after
/// Database:AnonymousStatementTimeout (<see cref="DependencyInjection.DeliveryConnectionString"/>). Read-only: writes go through <see cref="ContentDbContext"/>, whose
/// connections prepare nothing.
/// </summary>
public class DeliveryDbContext : ContentDbContext
{
    public DeliveryDbContext(DbContextOptions<DeliveryDbContext> options) : base(options) { }

    protected DeliveryDbContext(DbContextOptions options) : base(options) { }

    public override int SaveChanges(bool acceptAllChangesOnSuccess) =>
        throw new InvalidOperationException("The delivery face is read-only: save through ContentDbContext.");

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("The delivery face is read-only: save through ContentDbContext.");
}

/// <summary>
/// The delivery face on the standby (<c>ConnectionStrings:ContentDbStandby</c>, <see cref="Standby"/>): the same model,
/// filters and connection settings as <see cref="DeliveryDbContext"/>, read only when the standby has replayed every
/// change evicted so far.
/// </summary>
public sealed class StandbyDbContext(DbContextOptions<StandbyDbContext> options) : DeliveryDbContext(options);
