namespace ContentApi.Domain;

/// <summary>What a caller may do. Each role includes the ones before it.</summary>
public static class Roles
{
    /// <summary>Creates and changes drafts, manages contacts and photo metadata, previews drafts.</summary>
    public const string Editor = "editor";
    /// <summary>An editor who may also publish, unpublish, schedule and archive.</summary>
    public const string Publisher = "publisher";
    /// <summary>Everything, plus API keys, the audit log and erasure of a person's data.</summary>
    public const string Admin = "admin";

    public static readonly string[] All = [Editor, Publisher, Admin];

    /// <summary>The roles a holder of <paramref name="role"/> has, itself included.</summary>
    public static string[] Implied(string role) => role switch
    {
        Admin => [Editor, Publisher, Admin],
        Publisher => [Editor, Publisher],
        Editor => [Editor],
        _ => [],
    };
}
