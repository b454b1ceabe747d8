using System.Buffers.Binary;
using System.Buffers.Text;
using ContentApi.Api.Auth;
using ContentApi.Api.Hosting;
using ContentApi.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ContentApi.Api.Admin;

/// <summary>The audit log's upkeep, section "Audit".</summary>
public sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>How long entries are kept; 0 keeps them for ever.</summary>
    public int RetentionDays { get; set; } = 365;
    /// <summary>How often the counts of refused requests are written (one row per kind of failure and interval).</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>How often entries older than the retention are deleted.</summary>
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromHours(1);
    /// <summary>Rows deleted per statement, so pruning never holds a long lock.</summary>
    public int PruneBatchSize { get; set; } = 5_000;
}

/// <summary>A page of the audit log, newest first; <c>nextPage</c> continues after its last entry.</summary>
public record AuditPage(List<AuditEntryDto> Items, int PageSize, string? NextPage);

public static class AuditLog
{
    public static void AddAuditLog(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuditOptions>().Bind(builder.Configuration.GetSection(AuditOptions.Section))
            .Validate(o => o.RetentionDays >= 0 && o.FlushInterval > TimeSpan.Zero && o.PruneInterval > TimeSpan.Zero && o.PruneBatchSize > 0,
                "Audit: RetentionDays must be 0 or more, FlushInterval and PruneInterval positive, PruneBatchSize 1 or more.")
            .ValidateOnStart();
        builder.Services.AddSingleton<FailedAuthentications>();
        builder.Services.AddHostedService(services => services.GetRequiredService<FailedAuthentications>());
        builder.Services.AddSingleton<AuditRetention>();
        builder.Services.AddHostedService(services => services.GetRequiredService<AuditRetention>());
    }

    /// <summary>
    /// Newest first, by id: each page seeks in the primary key after the last id of the page before, and the table is
    /// never counted (it holds a year of writes and refusals).
    /// </summary>
    /// <param name="db"></param>
    /// <param name="request"></param>
    /// <param name="cursor">Where nextPage continues (after the last entry of the page before); opaque: follow nextPage as it is.</param>
    /// <param name="pageSize">Entries per page, 1 to 100 (default 20).</param>
    /// <param name="ct"></param>
    public static async Task<Results<Ok<AuditPage>, ValidationProblem>> ListAsync(
        ContentDbContext db, HttpRequest request, string? cursor, int pageSize = Paging.DefaultPageSize, CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string[]>();
        if (pageSize is < 1 or > Paging.MaxPageSize)
            errors["pageSize"] = [$"pageSize must be between 1 and {Paging.MaxPageSize} (got {pageSize})."];
        long? before = null;
        if (cursor is not null && (before = DecodeCursor(cursor)) is null)
            errors["cursor"] = ["cursor is not one this API wrote: follow nextPage as it is, or start again without cursor."];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors, detail: string.Join(" ", errors.Values.SelectMany(e => e)));

        var query = db.AuditEntries.AsNoTracking();
        if (before is { } id)
            query = query.Where(e => e.Id < id);
        var items = await query.OrderByDescending(e => e.Id).Take(pageSize + 1)
            .Select(e => new AuditEntryDto(e.Id, e.At, e.Actor, e.Action, e.TargetType, e.TargetId, e.Address, e.Status, e.Details, e.Count))
            .ToListAsync(ct);
        string? next = null;
        if (items.Count > pageSize)
        {
            items.RemoveAt(pageSize);
            var query2 = request.Query.Where(q => !q.Key.Equals("cursor", StringComparison.OrdinalIgnoreCase))
                .ToDictionary(q => q.Key, q => q.Value, StringComparer.OrdinalIgnoreCase);
            query2["cursor"] = EncodeCursor(items[^1].Id);
            next = request.PathBase + request.Path + QueryString.Create(query2);
        }
        return TypedResults.Ok(new AuditPage(items, pageSize, next));
    }

    private const byte CursorVersion = 1;

    internal static string EncodeCursor(long id)
    {
        Span<byte> bytes = stackalloc byte[9];
        bytes[0] = CursorVersion;
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..], id);
        return Base64Url.EncodeToString(bytes);
    }

    internal static long? DecodeCursor(string text)
    {
        Span<byte> bytes = stackalloc byte[9];
        return text.Length == Base64Url.GetEncodedLength(9) && Base64Url.TryDecodeFromChars(text, bytes, out var written)
            && written == 9 && bytes[0] == CursorVersion && BinaryPrimitives.ReadInt64BigEndian(bytes[1..]) is > 0 and var id
            ? id
            : null;
    }
}

/// <summary>Deletes audit entries older than the retention, in batches, every prune interval.</summary>
public sealed class AuditRetention(IServiceScopeFactory scopes, TimeProvider clock, IOptions<AuditOptions> options, ILogger<AuditRetention> log)
    : BackgroundService
{
    /// <summary>Deletes the entries older than <paramref name="cutoff"/>, at most <paramref name="batchSize"/> a statement; how many.</summary>
    public async Task<int> PruneAsync(DateTimeOffset cutoff, int batchSize, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ContentDbContext>();
        var total = 0;
        while (true)
        {
            var batch = db.AuditEntries.Where(e => e.At < cutoff).OrderBy(e => e.At).Select(e => e.Id).Take(batchSize);
            var deleted = await db.AuditEntries.Where(e => batch.Contains(e.Id)).ExecuteDeleteAsync(cancellationToken);
            total += deleted;
            if (deleted < batchSize)
                return total;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.RetentionDays == 0)
            return;
        using var timer = new PeriodicTimer(settings.PruneInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var deleted = await PruneAsync(clock.GetUtcNow().AddDays(-settings.RetentionDays), settings.PruneBatchSize, stoppingToken);
                    if (deleted > 0)
                        log.LogInformation("Deleted {Count} audit entries older than {Days} days.", deleted, settings.RetentionDays);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log.LogWarning("The audit log could not be pruned ({Error}); trying again in {Interval}.", e.Message, settings.PruneInterval);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
