namespace ContentApi.Domain;

/// <summary>A person the public can reach about a piece of content.</summary>
public class Contact : IVersioned
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
    public int Version { get; set; } = 1;

    public void NextVersion() => Version++;

    /// <summary>Checks the fields and puts the phone number in E.164; returns what is wrong.</summary>
    public ValidationErrors Normalize()
    {
        var errors = new ValidationErrors();
        errors.Required("name", Name, NameMaxLength);
        errors.MaxLength("title", Title, TitleMaxLength);
        errors.MaxLength("organisationalUnit", OrganisationalUnit, UnitMaxLength);
        if (!string.IsNullOrWhiteSpace(Email))
        {
            Email = Email.Trim();
            if (Email.Length > EmailMaxLength || !IsEmail(Email))
                errors.Add("email", $"'{Email}' is not an e-mail address like namn.efternamn@solvesborg.se.");
        }
        else
            Email = null;
        if (!string.IsNullOrWhiteSpace(Phone))
        {
            if (PhoneNumber.TryNormalize(Phone) is { } e164)
                Phone = e164;
            else
                errors.Add("phone", $"'{Phone}' is not a Swedish phone number; write it as 0456-81 62 20 or +46 456 81 62 20.");
        }
        else
            Phone = null;
        return errors;
    }

    private static bool IsEmail(string value)
    {
        var at = value.IndexOf('@');
        return at > 0 && at == value.LastIndexOf('@') && value.IndexOf('.', at) > at + 1 && !value.EndsWith('.')
            && !value.Any(char.IsWhiteSpace) && System.Net.Mail.MailAddress.TryCreate(value, out var address) && address.Address == value;
    }

    /// <summary>The phone number as Swedes write it, e.g. "0456-81 62 20".</summary>
    public string? PhoneDisplay => Phone is null ? null : PhoneNumber.ToSwedishDisplay(Phone);
}

/// <summary>Links an article to one of its contacts.</summary>
public class ArticleContact
{
    public Guid ArticleId { get; set; }
    public Guid ContactId { get; set; }
}
