namespace ContentApi.Api.OpenData;

/// <summary>
/// What the DCAT-AP-SE catalogue says about who publishes the data (section <c>OpenData</c>): the municipality as
/// publisher, the contact point, the licence and the place the data is about. Everything else in the catalogue comes
/// from the content and the API's public address.
/// </summary>
public sealed class OpenDataOptions
{
    public const string Section = "OpenData";

    /// <summary>Licence of the catalogue and every dataset: CC0 1.0 by default (as DCAT-AP-SE spells it, http and a trailing slash).</summary>
    public string License { get; set; } = "http://creativecommons.org/publicdomain/zero/1.0/";

    /// <summary>
    /// The place the data is about (<c>dcterms:spatial</c>), a URI. Default: Sweden in GeoNames, as DCAT-AP-SE's own
    /// example; the municipality's own URI is better when it has one.
    /// </summary>
    public string Spatial { get; set; } = "http://sws.geonames.org/2661886/";

    public PublisherOptions Publisher { get; set; } = new();

    public ContactPointOptions ContactPoint { get; set; } = new();

    /// <summary>What is wrong with the settings, for the start-up to stop with; null when they are fine.</summary>
    public string? Problem()
    {
        if (!IsWebAddress(License))
            return $"{Section}:{nameof(License)} must be the licence's absolute http(s) URI, e.g. http://creativecommons.org/publicdomain/zero/1.0/ (got '{License}').";
        if (!IsWebAddress(Spatial))
            return $"{Section}:{nameof(Spatial)} must be an absolute http(s) URI of a place, e.g. http://sws.geonames.org/2661886/ (got '{Spatial}').";
        if (string.IsNullOrWhiteSpace(Publisher.Name))
            return $"{Section}:Publisher:Name may not be empty: it is who publishes the data.";
        if (!string.IsNullOrEmpty(Publisher.OrganisationNumber) && !(Publisher.OrganisationNumber.Length == 10 && Publisher.OrganisationNumber.All(char.IsAsciiDigit)))
            return $"{Section}:Publisher:OrganisationNumber is ten digits without a hyphen, e.g. 2120000000 (got '{Publisher.OrganisationNumber}').";
        if (!IsWebAddress(Publisher.Type))
            return $"{Section}:Publisher:Type must be a URI of the ADMS publisher types, e.g. http://purl.org/adms/publishertype/LocalAuthority (got '{Publisher.Type}').";
        if (!string.IsNullOrWhiteSpace(Publisher.Homepage) && !IsWebAddress(Publisher.Homepage))
            return $"{Section}:Publisher:Homepage must be an absolute http(s) address (got '{Publisher.Homepage}').";
        if (string.IsNullOrWhiteSpace(ContactPoint.Name) || string.IsNullOrWhiteSpace(ContactPoint.Email) || !ContactPoint.Email.Contains('@'))
            return $"{Section}:ContactPoint needs a Name and an Email address (DCAT-AP-SE requires both; got '{ContactPoint.Name}', '{ContactPoint.Email}').";
        return null;
    }

    private static bool IsWebAddress(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";
}

/// <summary>The organisation that publishes the datasets (<c>dcterms:publisher</c>, a <c>foaf:Agent</c>).</summary>
public sealed class PublisherOptions
{
    public string Name { get; set; } = "Sölvesborgs kommun";

    /// <summary>
    /// The ten-digit organisation number without a hyphen. When set, the publisher is
    /// <c>http://dataportal.se/organisation/SE{number}</c>, the identifier dataportal.se merges publishers by, and the
    /// number is its <c>dcterms:identifier</c>; unset, the publisher gets an address in the catalogue's own namespace.
    /// </summary>
    public string? OrganisationNumber { get; set; }

    /// <summary>The ADMS publisher type; a municipality is a local authority.</summary>
    public string Type { get; set; } = "http://purl.org/adms/publishertype/LocalAuthority";

    /// <summary>The organisation's website (<c>foaf:homepage</c> of the publisher and the catalogue).</summary>
    public string? Homepage { get; set; } = "https://www.solvesborg.se/";
}

/// <summary>Whom to ask about the data (<c>dcat:contactPoint</c>, a vCard organisation).</summary>
public sealed class ContactPointOptions
{
    public string Name { get; set; } = "Sölvesborgs kommun, kommunikation";
    public string Email { get; set; } = "kommun@solvesborg.se";
    /// <summary>In E.164, e.g. +46456816000.</summary>
    public string? Phone { get; set; } = "+46456816000";
    public string? StreetAddress { get; set; } = "Repslagaregatan 1";
    public string? PostalCode { get; set; } = "294 80";
    public string? Locality { get; set; } = "Sölvesborg";
    public string? Country { get; set; } = "Sverige";
}

/// <summary>Stops the start with what is wrong in <see cref="OpenDataOptions"/>.</summary>
internal sealed class OpenDataOptionsValidation : Microsoft.Extensions.Options.IValidateOptions<OpenDataOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, OpenDataOptions options) =>
        options.Problem() is { } problem
            ? Microsoft.Extensions.Options.ValidateOptionsResult.Fail(problem)
            : Microsoft.Extensions.Options.ValidateOptionsResult.Success;
}
