using System.Text.Json.Nodes;
using ContentApi.Api.Reading;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Visibility;

/// <summary>REST and OData show each content type with the same fields, names and values (<see cref="WireModel"/>).</summary>
public class WireModelTests : ApiTest
{
    private async Task<(Article Article, Pledge Pledge, Photo Photo, Contact Contact)> ContentAsync()
    {
        var photo = Photo();
        var contact = Contact();
        var pledge = Pledge(2024);
        pledge.PhotoId = photo.Id;
        pledge.ContactId = contact.Id;
        var article = Article("Båda ansikten", tags: ["trafik"]);
        article.HeroPhotoId = photo.Id;
        article.PledgeId = pledge.Id;
        article.Contacts = [contact];
        article.Body = [Block.Paragraph("Text."), Block.Image(photo.Id)];
        await SaveAsync(photo, contact, pledge, article);
        return (article, pledge, photo, contact);
    }

    [Test]
    public async Task AnArticleShowsTheSameFieldsOnBothFaces()
    {
        var (article, _, _, _) = await ContentAsync();
        var rest = await GetJson($"/api/articles/{article.Id}");
        var odata = await GetJson($"/odata/Articles({article.Id})?$expand=heroPhoto,contacts,pledge");
        Compare("Article", rest, odata, "article");
    }

    [Test]
    public async Task APledgeShowsTheSameFieldsOnBothFaces()
    {
        var (_, pledge, _, _) = await ContentAsync();
        var rest = await GetJson($"/api/pledges/by-year/2024");
        var odata = await GetJson($"/odata/Pledges({pledge.Id})?$expand=photo,contact,articles");
        Compare("Pledge", rest, odata, "pledge");
    }

    [Test]
    public async Task PhotosAndContactsShowTheSameFieldsOnBothFaces()
    {
        var (_, _, photo, contact) = await ContentAsync();
        Compare("Photo", await GetJson($"/api/photos/{photo.Id}"), await GetJson($"/odata/Photos({photo.Id})"), "photo");
        Compare("Contact", await GetJson($"/api/contacts/{contact.Id}"), await GetJson($"/odata/Contacts({contact.Id})"), "contact");
    }

    [Test]
    public async Task EditorsSeeTheSameFieldsOnBothFacesToo()
    {
        var (article, _, _, _) = await ContentAsync();
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var rest = await GetJson(editor, $"/api/articles/{article.Id}");
        var odata = await GetJson(editor, $"/odata/Articles({article.Id})?$expand=heroPhoto,contacts,pledge");
        Compare("Article", rest, odata, "article");
    }

    /// <summary>What a REST field that embeds another item is on the OData side, and which of its fields REST shows.</summary>
    private static readonly Dictionary<string, string> Embedded = new()
    {
        ["Article.heroPhoto"] = "Photo", ["Article.contacts"] = "Contact", ["Article.bodyPhotos"] = "Photo",
        ["Pledge.photo"] = "Photo", ["Pledge.contact"] = "Contact", ["Pledge.priorityAreas"] = "PriorityArea",
    };

    /// <summary>REST shows these in brief (a reference with some fields): each field it shows must agree.</summary>
    private static readonly HashSet<string> InBrief = ["Article.pledge", "Pledge.articles"];

    private static void Compare(string type, JsonNode rest, JsonNode odata, string path)
    {
        var differences = WireModel.Types.TryGetValue(type, out var d) ? d : new WireModel.Differences([], []);
        // A field that is null on one face may be left out on the other (REST leaves out hasPendingChanges for readers).
        var restFields = rest.AsObject().Where(p => p.Value is not null).Select(p => p.Key).Except(differences.RestOnly).ToHashSet();
        var odataFields = odata.AsObject().Where(p => p.Value is not null).Select(p => p.Key).Where(k => !k.StartsWith('@'))
            .Except(differences.ODataOnly).ToHashSet();
        Assert.That(restFields, Is.EquivalentTo(odataFields), $"{path}: the fields of the two faces");
        foreach (var field in restFields)
            CompareValues($"{type}.{field}", rest[field], odata[field], $"{path}.{field}");
    }

    private static void CompareValues(string key, JsonNode? rest, JsonNode? odata, string path)
    {
        if (rest is null || odata is null)
        {
            Assert.That(rest, Is.Null, path);
            Assert.That(odata, Is.Null, path);
            return;
        }
        if (InBrief.Contains(key))
        {
            foreach (var item in Items(rest).Zip(Items(odata)))
                foreach (var (field, value) in item.First.AsObject())
                    CompareValues("", value, item.Second[field], $"{path}.{field}");
            Assert.That(Items(rest).Count(), Is.EqualTo(Items(odata).Count()), path);
            return;
        }
        if (Embedded.TryGetValue(key, out var type))
        {
            Assert.That(Items(rest).Count(), Is.EqualTo(Items(odata).Count()), path);
            foreach (var (r, o) in Items(rest).Zip(Items(odata)))
                Compare(type, r, o, path);
            return;
        }
        Assert.That(JsonNode.DeepEquals(WithoutNulls(rest), WithoutNulls(odata)), Is.True,
            $"{path}: REST {rest.ToJsonString()} but OData {odata.ToJsonString()}");
    }

    private static IEnumerable<JsonNode> Items(JsonNode node) => node is JsonArray array ? array.Select(i => i!) : [node];

    /// <summary>A null field, a missing one and an empty list say the same (OData has no null collections).</summary>
    private static JsonNode? WithoutNulls(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Where(p => p.Value is not null and not JsonArray { Count: 0 }).Select(p => KeyValuePair.Create(p.Key, WithoutNulls(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(WithoutNulls)]),
        _ => node?.DeepClone(),
    };
}
