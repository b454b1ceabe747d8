using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ContentApi.Domain;
using ContentApi.Tests.Support;

namespace ContentApi.Tests.Photos;

/// <summary>An upload's text fields are the PUT body's fields: bound to the same input, by the same rules.</summary>
public class UploadBindingTests : ApiTest
{
    private const string Alt = "Hamnen i Sölvesborg en vinterkväll, med båtar vid kajen.";

    private static MultipartFormDataContent Form(params (string Name, string Value)[] fields)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(TestImages.Jpeg(400, 300));
        file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        form.Add(file, "file", "hamnen.jpg");
        foreach (var (name, value) in fields)
            form.Add(new StringContent(value), name);
        return form;
    }

    private static async Task<(HttpStatusCode Status, JsonNode Json)> Upload(HttpClient editor, params (string, string)[] fields)
    {
        using var response = await editor.PostAsync("/api/photos", Form(fields));
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    [Test]
    public async Task FieldsAreBoundByTheirJsonNamesAndTextsAreTidiedAsInPut()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var (status, photo) = await Upload(editor, ("altText", $"  {Alt} "), ("decorative", "false"), ("caption", "  Kajen  "),
            ("credit", "   "), ("focalX", "0.25"), ("FOCALY", "0.75"));
        Assert.That(status, Is.EqualTo(HttpStatusCode.Created), photo.ToJsonString());
        Assert.That((string?)photo["altText"], Is.EqualTo(Alt));
        Assert.That((string?)photo["caption"], Is.EqualTo("Kajen"));
        Assert.That(photo["credit"], Is.Null, "a blank credit is none");
        Assert.That((double?)photo["focalX"], Is.EqualTo(0.25));
        Assert.That((double?)photo["focalY"], Is.EqualTo(0.75));

        var (put, putJson) = await editor.SendJson(HttpMethod.Put, $"/api/photos/{photo["id"]}",
            new { altText = $"  {Alt} ", decorative = false, caption = "  Kajen  ", credit = "   " }, ifMatch: "\"1\"");
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), putJson?.ToJsonString());
        Assert.That((string?)putJson!["altText"], Is.EqualTo(Alt));
        Assert.That((string?)putJson["caption"], Is.EqualTo("Kajen"));
        Assert.That(putJson["credit"], Is.Null);
        Assert.That((double?)putJson["focalX"], Is.EqualTo(0.5), "left out, the focal point is the middle");
    }

    [Test]
    public async Task AFieldThatIsNotOfItsTypeIsA400ThatNamesIt()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var (status, problem) = await Upload(editor, ("altText", Alt), ("decorative", "ja"), ("focalX", "mitten"), ("focalY", ""));
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), problem.ToJsonString());
        var errors = problem["errors"]!.AsObject();
        Assert.That(errors.Select(e => e.Key), Is.EquivalentTo(new[] { "decorative", "focalX", "focalY" }));
        Assert.That((string?)errors["decorative"]![0], Does.Contain("true or false"));
        Assert.That((string?)errors["focalX"]![0], Does.Contain("a number").And.Contain("'mitten'"));
    }

    [TestCase("focalX", "1.5", 1.5)]
    [TestCase("altText", "IMG_2044.jpg", "IMG_2044.jpg")]
    [TestCase("altText", "Bild", "Bild")]
    public async Task AValueAgainstTheRulesGetsTheSameErrorFromUploadAndPut(string field, string formValue, object jsonValue)
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var (_, photo) = await Upload(editor, ("altText", Alt));
        var body = new JsonObject { ["altText"] = Alt, ["decorative"] = false, [field] = JsonValue.Create(jsonValue) };
        var (put, putProblem) = await editor.SendJson(HttpMethod.Put, $"/api/photos/{photo["id"]}", body.ToJsonString(), ifMatch: "\"1\"");
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));

        var fields = field == "altText" ? new[] { (field, formValue) } : new[] { ("altText", Alt), (field, formValue) };
        var (status, problem) = await Upload(editor, fields);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), problem.ToJsonString());
        Assert.That(problem["errors"]![field]!.ToJsonString(), Is.EqualTo(putProblem!["errors"]![field]!.ToJsonString()));
    }

    [Test]
    public async Task RestoringTheRevisionOfAFileReplacementBringsBackItsMetadata()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var (_, photo) = await Upload(editor, ("altText", Alt), ("caption", "Kajen"));
        var id = (string)photo["id"]!;
        var replacement = new MultipartFormDataContent { { new ByteArrayContent(TestImages.Png(320, 240)), "file", "ny.png" } };
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/photos/{id}/file") { Content = replacement };
        request.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        using var replaced = await editor.SendAsync(request);
        Assert.That(replaced.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await editor.SendJson(HttpMethod.Put, $"/api/photos/{id}", new { altText = "En helt annan beskrivning av bilden.", decorative = false }, ifMatch: "\"2\"");

        var (restored, json) = await editor.SendJson(HttpMethod.Post, $"/api/photos/{id}/revisions/2/restore", ifMatch: "\"3\"");
        Assert.That(restored.StatusCode, Is.EqualTo(HttpStatusCode.OK), json?.ToJsonString());
        Assert.That((string?)json!["altText"], Is.EqualTo(Alt));
        Assert.That((string?)json["caption"], Is.EqualTo("Kajen"));
        Assert.That((string?)json["mediaType"], Is.EqualTo("image/png"), "a restore brings back metadata, not the file");
    }
}
