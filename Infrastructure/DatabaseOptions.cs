namespace ContentApi.Infrastructure;

/// <summary>How the API treats its database: the cost an anonymous query may have, and what a client is told in an outage.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>
    /// Longest an anonymous reader's statement may run (PostgreSQL's <c>statement_timeout</c> on the delivery face's
    /// connections), so a runaway OData query cannot hold a connection; zero turns it off. Editors' reads and every
    /// write have no such limit (Npgsql's command timeout, 30 s unless the connection string says otherwise, applies to
    /// all).
    /// </summary>
    public TimeSpan AnonymousStatementTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The Retry-After of a 503 answered while the database cannot be reached.</summary>
    public int RetryAfterSeconds { get; set; } = 5;
}
