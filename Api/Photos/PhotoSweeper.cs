using ContentApi.Api.Hosting;
using ContentApi.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ContentApi.Api.Photos;

/// <summary>
/// Deletes stored files no photo uses any more (replaced or deleted photos, their renditions, broken-off uploads),
/// every few hours. Files younger than an hour stay, so an upload that is still being saved keeps its file.
/// </summary>
public class PhotoSweeper(IServiceScopeFactory scopes, PhotoStorage storage, TimeProvider clock, ILogger<PhotoSweeper> log) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(6);
    public static readonly TimeSpan MinimumAge = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, clock, stoppingToken);
                await SweepAsync(clock.GetUtcNow() - MinimumAge, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e)
            {
                // An outage is logged once by the requests it refuses; the next attempt will tell whether it is over.
                if (DatabaseOutage.IsUnreachable(e))
                    log.LogWarning("Sweeping unused photo files failed; trying again later. The database cannot be reached: {Error}", e.Message);
                else
                    log.LogError(e, "Sweeping unused photo files failed; trying again later.");
            }
        }
    }

    public async Task<int> SweepAsync(DateTimeOffset olderThan, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ContentDbContext>();
        var inUse = (await db.Photos.IgnoreQueryFilters().Select(p => p.Sha256).ToListAsync(ct)).ToHashSet();
        var deleted = storage.Sweep(inUse, olderThan);
        if (deleted > 0)
            log.LogInformation("Swept {Count} unused photo files.", deleted);
        return deleted;
    }
}
