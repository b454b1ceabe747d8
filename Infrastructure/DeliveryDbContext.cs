using Microsoft.EntityFrameworkCore;

namespace ContentApi.Infrastructure;

/// <summary>
/// The delivery face as anonymous readers read it: the model and query filters of <see cref="ContentDbContext"/>, on
/// the read connections (<see cref="DependencyInjection.ReadConnectionString"/>: read-only sessions where the hot reads
/// are prepared, <see cref="PreparedReads"/>), in a pool of their own whose statements PostgreSQL cancels after
/// Database:AnonymousStatementTimeout (<see cref="DependencyInjection.DeliveryConnectionString"/>). Read-only: writes go through <see cref="ContentDbContext"/>, whose
/// connections prepare nothing.
/// </summary>
public sealed class DeliveryDbContext(DbContextOptions<DeliveryDbContext> options) : ContentDbContext(options)
{
    public override int SaveChanges(bool acceptAllChangesOnSuccess) =>
        throw new InvalidOperationException("The delivery face is read-only: save through ContentDbContext.");

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("The delivery face is read-only: save through ContentDbContext.");
}
