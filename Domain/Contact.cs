namespace ContentApi.Domain;

/// <summary>A person the public can reach about a piece of content.</summary>
public class Contact
{
    public const int NameMaxLength = 200;
    public const int TitleMaxLength = 200;
    public const int UnitMaxLength = 200;
    public const int EmailMaxLength = 254;

    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    /// <summary>The person's role, e.g. "brottsförebyggande samordnare".</summary>
    public string? Title { get; set; }
    public string? OrganisationalUnit { get; set; }
    public string? Email { get; set; }
    /// <summary>E.164, e.g. "+46456816220".</summary>
    public string? Phone { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public List<Article> Articles { get; set; } = [];

    /// <summary>The phone number as Swedes write it, e.g. "0456-81 62 20".</summary>
    public string? PhoneDisplay => Phone is null ? null : PhoneNumber.ToSwedishDisplay(Phone);
}

/// <summary>Links an article to one of its contacts.</summary>
public class ArticleContact
{
    public Guid ArticleId { get; set; }
    public Guid ContactId { get; set; }
}
