namespace ContentApi.Domain;

/// <summary>A key a service or script authenticates with. Only the SHA-256 of the key is stored.</summary>
public class ApiKey
{
    public const int NameMaxLength = 100;

    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public string Role { get; set; } = Roles.Editor;
    /// <summary>Hex SHA-256 of the key; the key itself is shown once, when it is made.</summary>
    public string Hash { get; set; } = "";
    /// <summary>The key's first characters, so people can tell keys apart without the secret.</summary>
    public string Prefix { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}
