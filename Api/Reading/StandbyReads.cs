using ContentApi.Infrastructure;

namespace ContentApi.Api.Reading;

/// <summary>
/// Which server an anonymous read that refills the response store reads: the standby (ConnectionStrings:ContentDbStandby)
/// when <see cref="Standby"/> finds it current, else the primary. Only those reads: editors read the primary (they read
/// what they just wrote), and so do the sync (an app's position must never see the standby behind it) and webhooks,
/// which read outside any request. A read the standby fails (it went away, or cancelled the query) is made again on the
/// primary: nothing has gone out yet, the store makes its answers in a buffer.
/// </summary>
public static class StandbyReads
{
    private static readonly object Key = new();

    /// <summary>Whether this request's delivery face is read on the standby (<see cref="ContentReader.Db"/>).</summary>
    public static bool Chosen(HttpContext context) => context.Items.ContainsKey(Key);

    /// <summary>Runs the read of a store refill on the standby when it is current, else (or when the standby fails it) on the primary.</summary>
    public static async Task RunAsync(HttpContext context, RequestDelegate next, ContentFamily family, Standby standby, Action discard)
    {
        if (!standby.Configured || family == ContentFamily.Sync || !await standby.CurrentAsync(context.RequestAborted))
        {
            await next(context);
            return;
        }
        context.Items[Key] = true;
        try
        {
            await next(context);
        }
        catch (Exception e) when (Standby.IsStandbyFailure(e) && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            standby.Failed(e);
            context.Items.Remove(Key);
            OData.DeferredQuery.Forget(context);
            discard();
            context.Response.Clear();
            await next(context);
        }
    }
}
