using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ContentApi.Infrastructure;

/// <summary>
/// Prepares the hot reads explicitly, on the read connections: a query tagged <c>.TagWith(PreparedReads.Tag)</c> is
/// parsed and planned by PostgreSQL once per connection instead of on every request. Explicitly, in a round trip of
/// its own, because Npgsql 10's automatic preparation is not safe for reads either: a statement that fails while it
/// runs in the very round trip that prepares it (a client's OData division by zero, twice) leaves the connection
/// answering later statements with "unexpected backend message DataRow" (npgsql/npgsql#6391's bookkeeping, also
/// without a transaction; Tests/Delivery/PreparedReadTests.cs). A statement prepared on its own and failing later is
/// safe. Only tagged queries are prepared: they are a fixed handful, where automatic preparation of every OData
/// shape would need its bound anyway. (Count queries are not tagged: <c>CountCache</c> knows them by their first words.)
/// </summary>
public sealed class PreparedReads : DbCommandInterceptor
{
    public const string Tag = "prepared";

    private static bool Tagged(DbCommand command) =>
        command.CommandText.StartsWith("-- " + Tag, StringComparison.Ordinal);

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result)
    {
        if (!result.HasResult && Tagged(command))
            command.Prepare();
        return result;
    }

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command,
        CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        if (!result.HasResult && Tagged(command))
            await command.PrepareAsync(cancellationToken);
        return result;
    }
}
