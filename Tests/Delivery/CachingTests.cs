using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ContentApi.Api.Caching;
using ContentApi.Domain;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Delivery;

public class CachingTests : ApiTest
{
    [TestCase("/api/articles")]
    [TestCase("/api/articles/by-slug/nyhet")]
    [TestCase("/api/pledges/current")]
    [TestCase("/odata/Articles?$select=title")]
    [TestCase("/odata/$metadata")]
    public async Task AnonymousReadsHaveAStrongETagAPublicCacheControlAndAnswer304WhenCurrent(string url)
    {
        await SaveAsync(Article("Nyhet"), Pledge(2024));
        using var first = await Client.GetAsync(url);
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(first.Headers.ETag, Is.Not.Null);
        Assert.That(first.Headers.ETag!.IsWeak, Is.False);
        Assert.That(first.Headers.CacheControl?.ToString(), Is.EqualTo("public, max-age=60, stale-while-revalidate=300"));
        Assert.That(first.Headers.Vary, Does.Contain("Accept-Encoding"));

        using var revalidate = new HttpRequestMessage(HttpMethod.Get, url);
        revalidate.Headers.IfNoneMatch.Add(first.Headers.ETag);
        using var second = await Client.SendAsync(revalidate);
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
        Assert.That(await second.Content.ReadAsByteArrayAsync(), Is.Empty);

        using var stale = new HttpRequestMessage(HttpMethod.Get, url);
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"0000\""));
        Assert.That((await Client.SendAsync(stale)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [TestCase("/api/articles/by-slug/nyhet")]
    [TestCase("/odata/Articles?$select=title")]
    public async Task ARevalidationAfterTheCacheLostAnAnswerStoresItAgain(string url)
    {
        await SaveAsync(Article("Nyhet"));
        using var first = await Client.GetAsync(url);
        var etag = first.Headers.ETag!;
        Assert.That(CacheStatus(first), Is.EqualTo("ContentApi; fwd=uri-miss; stored"));
        using (var cached = await Client.GetAsync(url))
            Assert.That(CacheStatus(cached), Is.EqualTo("ContentApi; hit"));
        // The entry is gone (evicted for room, expired, or the server restarted) while browsers still hold the ETag.
        TestRun.Factory.Services.GetRequiredService<ResponseStore>().Evict(ResponseStore.FamilyOf(new PathString(url.Split('?')[0])));

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            TestRun.Factory.Sql.Reset();
            using var revalidate = new HttpRequestMessage(HttpMethod.Get, url);
            revalidate.Headers.IfNoneMatch.Add(etag);
            using var response = await Client.SendAsync(revalidate);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotModified), $"attempt {attempt}");
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.Empty);
            Assert.That(response.Headers.ETag, Is.EqualTo(etag));
            Assert.That(response.Headers.CacheControl?.Public, Is.True);
            // The first revalidation runs the query once and stores the full answer; the ones after it cost nothing.
            Assert.That(TestRun.Factory.Sql.Count, attempt == 1 ? Is.GreaterThan(0) : Is.Zero, $"SQL commands of attempt {attempt}");
        }

        using var again = await Client.GetAsync(url);
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(CacheStatus(again), Is.EqualTo("ContentApi; hit"), "answered from the store");
        Assert.That(again.Headers.ETag, Is.EqualTo(etag));
        Assert.That(await again.Content.ReadAsStringAsync(), Is.EqualTo(await first.Content.ReadAsStringAsync()));
    }

    [Test]
    public async Task ArticleHasLastModifiedFromItsUpdatedAt()
    {
        await SaveAsync(Article("Nyhet"));
        using var response = await Client.GetAsync("/api/articles/by-slug/nyhet");
        Assert.That(response.Content.Headers.LastModified, Is.EqualTo(new DateTimeOffset(2024, 3, 1, 8, 0, 0, TimeSpan.Zero)));
    }

    [Test]
    public async Task AuthenticatedReadsArePrivateAndNeverServedToAnonymousReaders()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        await SaveAsync(Article("Hemlig", ContentStatus.Draft));
        using var preview = await editor.GetAsync("/api/articles/by-slug/hemlig");
        Assert.That(preview.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(preview.Headers.CacheControl?.Private, Is.True);
        Assert.That(preview.Headers.CacheControl?.NoStore, Is.True);
        await GetProblem("/api/articles/by-slug/hemlig", HttpStatusCode.NotFound);
        using var editorOData = await editor.GetAsync("/odata/Articles");
        Assert.That((await GetJson("/odata/Articles"))["value"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task ErrorsAreNotCached()
    {
        using var missing = await Client.GetAsync("/api/articles/by-slug/kommer-snart");
        Assert.That(missing.Headers.CacheControl?.NoStore, Is.True);
        await SaveAsync(Article("Kommer snart"));
        await GetJson("/api/articles/by-slug/kommer-snart");
    }

    [Test]
    public async Task APublishedChangeIsVisibleOnTheVeryNextAnonymousRequestEverywhere()
    {
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var pledge = Pledge(2024);
        var article = Article("Före");
        article.PledgeId = pledge.Id;
        await SaveAsync(pledge, article);
        string[] urls = ["/api/articles/by-slug/fore", "/api/articles", "/api/pledges/by-year/2024", "/odata/Articles?$select=title", "/odata/Pledges?$expand=articles($select=title)"];
        foreach (var url in urls)
            Assert.That((await Client.GetStringAsync(url)), Does.Contain("Före"), url);
        // Twice, so the second answer is the cached one.
        foreach (var url in urls)
            Assert.That((await Client.GetStringAsync(url)), Does.Contain("Före"), url);

        await publisher.SendJson(HttpMethod.Patch, $"/api/articles/{article.Id}", """{"title":"Efter"}""", ifMatch: "\"1\"", mediaType: "application/merge-patch+json");
        Assert.That(await Client.GetStringAsync("/api/articles/by-slug/fore"), Does.Contain("Före"), "a pending version is not published");
        await publisher.SendJson(HttpMethod.Post, $"/api/articles/{article.Id}/publish");
        foreach (var url in urls)
            Assert.That(await Client.GetStringAsync(url), Does.Contain("\"title\":\"Efter\"").And.Not.Contain("\"title\":\"Före\""), url);

        await publisher.SendJson(HttpMethod.Post, $"/api/articles/{article.Id}/unpublish");
        await GetProblem("/api/articles/by-slug/fore", HttpStatusCode.NotFound);
        Assert.That((await GetJson("/api/articles"))["items"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task AChangedPhotoOrContactShowsInTheArticlesThatEmbedIt()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var photo = Photo("Gammal beskrivning av bilden.");
        var contact = Contact("Anna Andersson");
        var article = Article("Med bild och kontakt");
        article.HeroPhotoId = photo.Id;
        article.Contacts = [contact];
        await SaveAsync(photo, contact, article);
        await Client.GetStringAsync("/api/articles/by-slug/med-bild-och-kontakt");

        await editor.SendJson(HttpMethod.Put, $"/api/photos/{photo.Id}", new { altText = "Ny beskrivning av bilden.", decorative = false }, ifMatch: "\"1\"");
        await editor.SendJson(HttpMethod.Put, $"/api/contacts/{contact.Id}", new { name = "Anna Berg" }, ifMatch: "\"1\"");
        var json = await GetJson("/api/articles/by-slug/med-bild-och-kontakt");
        Assert.That((string?)json["heroPhoto"]!["altText"], Is.EqualTo("Ny beskrivning av bilden."));
        Assert.That((string?)json["contacts"]![0]!["name"], Is.EqualTo("Anna Berg"));
    }

    [TestCase("br")]
    [TestCase("gzip")]
    public async Task JsonIsCompressed(string encoding)
    {
        await SaveAsync([.. Enumerable.Range(0, 20).Select(i => (object)Article($"Nyhet nummer {i}"))]);
        using var client = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = Client.BaseAddress };
        foreach (var url in new[] { "/api/articles", "/odata/Articles" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(encoding));
            using var response = await client.SendAsync(request);
            Assert.That(response.Content.Headers.ContentEncoding, Is.EqualTo(new[] { encoding }), url);
        }
    }

    [Test]
    public async Task SmallBodiesAreNotCompressedAndSayTheirLength()
    {
        await SaveAsync(Article("Nyhet"));
        using var client = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = Client.BaseAddress };
        for (var attempt = 0; attempt < 2; attempt++) // made by the endpoint, then from the output cache
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/odata/Articles?$select=title");
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("br"));
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.That(body, Has.Length.LessThan(1024));
            Assert.That(response.Content.Headers.ContentEncoding, Is.Empty);
            Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(body.Length));
        }
    }

    [Test]
    public async Task ODataQueriesDoNotBlockThreadPoolThreads()
    {
        var photo = Photo();
        var article = Article("Nyhet", tags: "trafik");
        article.HeroPhotoId = photo.Id;
        article.Contacts = [Contact()];
        await SaveAsync(photo, article);
        var before = TestRun.Factory.Sql.BlockingPoolThreads;
        foreach (var url in new[]
        {
            "/odata/Articles?$filter=tags/any(t:t eq 'trafik')&$count=true&$select=title",
            "/odata/Articles?$expand=heroPhoto,contacts&$count=true&$top=1",
            $"/odata/Articles({article.Id})?$expand=contacts",
            "/odata/Pledges?$expand=articles($expand=contacts)&$count=true",
            "/odata/Photos", "/odata/Contacts?$count=true",
        })
            await GetJson(url);
        Assert.That(TestRun.Factory.Sql.BlockingPoolThreads, Is.EqualTo(before));
    }

    [Test]
    public async Task AListOfTwentyArticlesWithPhotosAndContactsCostsAFixedSmallNumberOfQueries()
    {
        var entities = new List<object>();
        for (var i = 0; i < 25; i++)
        {
            var photo = Photo();
            var contact = Contact($"Kontakt {i}");
            var article = Article($"Artikel {i}", minutesAfterBase: i);
            article.HeroPhotoId = photo.Id;
            article.Contacts = [contact];
            entities.AddRange([photo, contact, article]);
        }
        await SaveAsync([.. entities]);

        foreach (var (url, most) in new[]
        {
            ("/api/articles?pageSize=20", 2),
            ("/api/articles/by-slug/artikel-3", 2),
            ("/odata/Articles?$top=20&$expand=heroPhoto,contacts&$count=true", 2),
            ("/odata/Pledges?$expand=articles($expand=contacts)", 1),
        })
        {
            TestRun.Factory.Sql.Reset();
            using var response = await Client.GetAsync(url + (url.Contains('?') ? "&" : "?") + "nocache=" + Guid.NewGuid());
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), url);
            Assert.That(TestRun.Factory.Sql.Count, Is.InRange(1, most), $"{url} issued {TestRun.Factory.Sql.Count} SQL commands");
        }
    }

    [Test]
    public async Task AStoredAnswerCostsNoSqlAndSaysItWasAHit()
    {
        await SaveAsync(Article("Nyhet"));
        using var first = await Client.GetAsync("/api/articles/by-slug/nyhet");
        Assert.That(CacheStatus(first), Is.EqualTo("ContentApi; fwd=uri-miss; stored"));
        TestRun.Factory.Sql.Reset();
        using var second = await Client.GetAsync("/api/articles/by-slug/nyhet");
        Assert.That(CacheStatus(second), Is.EqualTo("ContentApi; hit"));
        Assert.That(TestRun.Factory.Sql.Count, Is.Zero);
        Assert.That(await second.Content.ReadAsStringAsync(), Is.EqualTo(await first.Content.ReadAsStringAsync()));
        Assert.That(second.Content.Headers.ContentType?.ToString(), Is.EqualTo(first.Content.Headers.ContentType?.ToString()));
        Assert.That(second.Content.Headers.LastModified, Is.EqualTo(first.Content.Headers.LastModified));
        Assert.That(second.Headers.ETag, Is.EqualTo(first.Headers.ETag));
        Assert.That(second.Headers.CacheControl, Is.EqualTo(first.Headers.CacheControl));
        Assert.That(second.Headers.Vary, Is.EquivalentTo(first.Headers.Vary));
        // No Age: what the store holds is current (it is evicted on change), so a CDN may keep it for the whole max-age.
        Assert.That(second.Headers.Age, Is.Null);

        using var head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/api/articles/by-slug/nyhet"));
        Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(head.Content.Headers.ContentLength, Is.EqualTo((await first.Content.ReadAsByteArrayAsync()).Length));
        Assert.That(await head.Content.ReadAsByteArrayAsync(), Is.Empty);
    }

    [TestCase("br")]
    [TestCase("gzip")]
    public async Task CompressedAnswersAreStoredCompressedAndOnlyServedToClientsThatAskedForThem(string encoding)
    {
        await SaveAsync([.. Enumerable.Range(0, 20).Select(i => (object)Article($"Nyhet nummer {i}"))]);
        using var client = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = Client.BaseAddress };
        async Task<(HttpResponseMessage Response, byte[] Body)> GetAsync(string? acceptEncoding)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/articles");
            if (acceptEncoding is not null)
                request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(acceptEncoding));
            var response = await client.SendAsync(request);
            return (response, await response.Content.ReadAsByteArrayAsync());
        }

        var plain = await GetAsync(null);
        var made = await GetAsync(encoding);
        TestRun.Factory.Sql.Reset();
        var stored = await GetAsync(encoding);
        var plainAgain = await GetAsync(null);
        Assert.That(TestRun.Factory.Sql.Count, Is.Zero, "both answered from the store");
        Assert.That(CacheStatus(stored.Response), Is.EqualTo("ContentApi; hit"));
        Assert.That(stored.Response.Content.Headers.ContentEncoding, Is.EqualTo(new[] { encoding }));
        Assert.That(stored.Body, Is.EqualTo(made.Body));
        Assert.That(stored.Response.Content.Headers.ContentLength, Is.EqualTo(stored.Body.Length));
        Assert.That(Decompress(stored.Body, encoding), Is.EqualTo(plain.Body));
        Assert.That(plainAgain.Response.Content.Headers.ContentEncoding, Is.Empty);
        Assert.That(plainAgain.Body, Is.EqualTo(plain.Body));
        // One strong ETag per representation, and each revalidates its own.
        Assert.That(stored.Response.Headers.ETag!.Tag, Is.EqualTo(plain.Response.Headers.ETag!.Tag[..^1] + "-" + encoding + "\""));
        Assert.That(made.Response.Headers.ETag, Is.EqualTo(stored.Response.Headers.ETag));
        using (var revalidate = new HttpRequestMessage(HttpMethod.Get, "/api/articles"))
        {
            revalidate.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(encoding));
            revalidate.Headers.IfNoneMatch.Add(stored.Response.Headers.ETag!);
            using var notModified = await client.SendAsync(revalidate);
            Assert.That(notModified.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
        }
        TestRun.Factory.Services.GetRequiredService<ResponseStore>().Evict("articles");
        using (var revalidate = new HttpRequestMessage(HttpMethod.Get, "/api/articles"))
        {
            revalidate.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(encoding));
            revalidate.Headers.IfNoneMatch.Add(stored.Response.Headers.ETag!);
            using var notModified = await client.SendAsync(revalidate);
            Assert.That(notModified.StatusCode, Is.EqualTo(HttpStatusCode.NotModified), "made again, not stored: the same ETag");
        }
        foreach (var (response, _) in new[] { plain, made, stored, plainAgain })
            response.Dispose();
    }

    [Test]
    public async Task AChangeEvictsAnswersWhateverTheCaseOfTheirAddress()
    {
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var article = Article("Före");
        await SaveAsync(article);
        // Routing ignores case, so these are the same article; each is stored under its own address.
        string[] urls = ["/API/Articles/by-slug/fore", "/Api/ARTICLES", "/OData/Articles?$select=title"];
        foreach (var url in urls)
        {
            Assert.That(await Client.GetStringAsync(url), Does.Contain("Före"), url);
            using var again = await Client.GetAsync(url);
            Assert.That(CacheStatus(again), Is.EqualTo("ContentApi; hit"), url);
        }
        await publisher.SendJson(HttpMethod.Patch, $"/api/articles/{article.Id}", """{"title":"Efter"}""", ifMatch: "\"1\"", mediaType: "application/merge-patch+json");
        await publisher.SendJson(HttpMethod.Post, $"/api/articles/{article.Id}/publish");
        foreach (var url in urls)
            Assert.That(await Client.GetStringAsync(url), Does.Contain("\"title\":\"Efter\"").And.Not.Contain("\"title\":\"Före\""), url);
    }

    [Test]
    public async Task ManySimultaneousRequestsForAMissingAnswerMakeItOnce()
    {
        await SaveAsync(Article("Nyhet"));
        // What one making of the answer costs, under another address.
        TestRun.Factory.Sql.Reset();
        await Client.GetStringAsync("/api/articles/by-slug/nyhet?once");
        var once = TestRun.Factory.Sql.Count;
        Assert.That(once, Is.GreaterThan(0));

        TestRun.Factory.Sql.Reset();
        var answers = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => Client.GetStringAsync("/api/articles/by-slug/nyhet")));
        Assert.That(answers.Distinct().Count(), Is.EqualTo(1));
        Assert.That(TestRun.Factory.Sql.Count, Is.EqualTo(once), "24 simultaneous requests made the answer once");
    }

    [Test]
    public async Task ODataAnswersAreKeptApartByTheVersionAndPreferencesOfTheClient()
    {
        await SaveAsync(Article("Första"), Article("Andra", minutesAfterBase: 1));
        const string url = "/odata/Articles?$select=title&$count=true";
        async Task<string> GetAsync(string? maxVersion, string? prefer)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (maxVersion is not null)
                request.Headers.Add("OData-MaxVersion", maxVersion);
            if (prefer is not null)
                request.Headers.Add("Prefer", prefer);
            using var response = await Client.SendAsync(request);
            Assert.That(response.Headers.Vary, Is.SupersetOf(new[] { "Accept-Encoding", "Accept", "OData-MaxVersion", "Prefer" }));
            return await response.Content.ReadAsStringAsync();
        }

        for (var round = 0; round < 2; round++) // made, then from the store
        {
            Assert.That(await GetAsync(null, null), Does.Contain("\"@odata.count\":2").And.Not.Contain("nextLink"));
            Assert.That(await GetAsync("4.01", null), Does.Contain("\"@count\":2"));
            Assert.That(await GetAsync("4.0", "odata.maxpagesize=1"), Does.Contain("\"@odata.nextLink\""));
        }
    }

    [Test]
    public async Task PhotosAndContactsStopBeingPublicAtOnceWhenTheArticleThatShowedThemIsUnpublished()
    {
        var contact = Contact("Anna Andersson");
        var (article, photo) = await PublishedArticleWithUploadedPhotoAsync(TestImages.Jpeg(800, 600), contact);
        string[] urls = [$"/api/photos/{photo["id"]}", $"/api/photos/{photo["id"]}/file", RenditionUrl(photo), $"/api/contacts/{contact.Id}",
            $"/odata/Photos({photo["id"]})", $"/odata/Contacts({contact.Id})"];
        foreach (var url in urls)
        {
            using var made = await Client.GetAsync(url);
            using var stored = await Client.GetAsync(url);
            Assert.That(stored.StatusCode, Is.EqualTo(HttpStatusCode.OK), url);
            Assert.That(CacheStatus(stored), Is.EqualTo("ContentApi; hit"), url);
        }

        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        await publisher.SendJson(HttpMethod.Post, $"/api/articles/{article}/unpublish");
        foreach (var url in urls)
        {
            using var response = await Client.GetAsync(url);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), url);
        }
    }

    [Test]
    public async Task RenditionsAreAnsweredFromTheStore()
    {
        var (_, photo) = await PublishedArticleWithUploadedPhotoAsync(TestImages.Jpeg(800, 600));
        var url = RenditionUrl(photo);
        var made = await Client.GetByteArrayAsync(url);
        TestRun.Factory.Sql.Reset();
        using var stored = await Client.GetAsync(url);
        Assert.That(CacheStatus(stored), Is.EqualTo("ContentApi; hit"));
        Assert.That(TestRun.Factory.Sql.Count, Is.Zero);
        Assert.That(stored.Headers.CacheControl?.ToString(), Is.EqualTo("public, max-age=31536000, immutable"));
        Assert.That(stored.Content.Headers.ContentType?.MediaType, Is.EqualTo("image/webp"));
        Assert.That(await stored.Content.ReadAsByteArrayAsync(), Is.EqualTo(made));

    }

    [Test]
    public async Task AFileTooBigToKeepIsSentWholeEveryTime()
    {
        var original = TestImages.NoisyJpeg(1600, 1200);
        Assert.That(original, Has.Length.GreaterThan(ResponseStore.MaxBodyBytes), "the test needs a file larger than the store keeps");
        var (_, photo) = await PublishedArticleWithUploadedPhotoAsync(original);
        var stored = await Photos.UploadTests.StoredFile(Guid.Parse((string)photo["id"]!));
        Assert.That(stored, Has.Length.GreaterThan(ResponseStore.MaxBodyBytes));
        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var response = await Client.GetAsync($"/api/photos/{photo["id"]}/file");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(CacheStatus(response), Is.Null, "not from the store");
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(stored));
        }
    }

    /// <summary>Uploads a picture and publishes an article that shows it, so anonymous readers may see it.</summary>
    private static async Task<(Guid Article, JsonNode Photo)> PublishedArticleWithUploadedPhotoAsync(byte[] file, Contact? contact = null)
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        using var response = await editor.PostAsync("/api/photos", Photos.UploadTests.Form(file));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var photo = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var article = Article("Med bild");
        article.HeroPhotoId = Guid.Parse((string)photo["id"]!);
        if (contact is not null)
            article.Contacts = [contact];
        await SaveAsync(contact is null ? [article] : [contact, article]);
        return (article.Id, photo);
    }

    private static string RenditionUrl(JsonNode photo) =>
        (string)photo["renditions"]!.AsArray().First(r => (string?)r!["format"] == "webp")!["url"]!;

    [Test]
    public async Task AnAnswerMadeForAnotherHostOrCharsetNeverGoesToOtherClients()
    {
        await SaveAsync(Article("Nyhet"));
        const string url = "/odata/Articles?$select=title";
        using (var forged = new HttpRequestMessage(HttpMethod.Get, url))
        {
            forged.Headers.Host = "evil.example";
            using var response = await Client.SendAsync(forged);
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("evil.example"), "OData writes absolute links from the Host header");
        }
        using (var utf16 = new HttpRequestMessage(HttpMethod.Get, url))
        {
            utf16.Headers.AcceptCharset.Add(new StringWithQualityHeaderValue("utf-16"));
            using var response = await Client.SendAsync(utf16);
            Assert.That(response.Content.Headers.ContentType?.CharSet, Is.EqualTo("utf-16"));
            Assert.That(response.Headers.Vary, Does.Contain("Accept-Charset"));
        }
        for (var round = 0; round < 2; round++) // made, then from the store
        {
            using var plain = await Client.GetAsync(url);
            Assert.That(plain.Content.Headers.ContentType?.CharSet, Is.EqualTo("utf-8"));
            var json = await plain.Content.ReadAsStringAsync();
            Assert.That(json, Does.Contain($"\"@odata.context\":\"{Client.BaseAddress}odata/$metadata"));
            Assert.That(json, Does.Not.Contain("evil.example"));
        }
    }

    [Test]
    public async Task HeadIsAnsweredAsTheGetItStandsForWhetherStoredOrNot()
    {
        await SaveAsync(Article("Nyhet"));
        foreach (var url in new[] { "/api/articles/by-slug/nyhet", "/odata/Articles?$select=title" })
        {
            for (var round = 0; round < 2; round++) // made, then from the store
            {
                using var head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
                Assert.That(head.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{url}, round {round}");
                Assert.That(await head.Content.ReadAsByteArrayAsync(), Is.Empty);
                Assert.That(CacheStatus(head), Is.EqualTo(round == 0 ? "ContentApi; fwd=uri-miss; stored" : "ContentApi; hit"));
                using var get = await Client.GetAsync(url);
                Assert.That(head.Content.Headers.ContentLength, Is.EqualTo((await get.Content.ReadAsByteArrayAsync()).Length), url);
                Assert.That(head.Headers.ETag, Is.EqualTo(get.Headers.ETag), url);
            }
        }
    }

    [Test]
    public async Task AnEditorsCurrentCopyIsAnswered304Too()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        await SaveAsync(Article("Utkast", ContentStatus.Draft));
        using var first = await editor.GetAsync("/api/articles/by-slug/utkast");
        Assert.That(first.Headers.ETag, Is.Not.Null);
        using var again = new HttpRequestMessage(HttpMethod.Get, "/api/articles/by-slug/utkast");
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var response = await editor.SendAsync(again);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
        Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
        Assert.That(CacheStatus(response), Is.Null, "an editor's answer never goes through the store");
    }

    [Test]
    public async Task WorkOnDraftsAndPendingVersionsKeepsWhatReadersSeeStored()
    {
        var editor = await TestAuth.KeyClientAsync(Roles.Editor);
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var photo = Photo();
        var contact = Contact("Anna Andersson");
        var published = Article("Publicerad");
        var draft = Article("Utkast", ContentStatus.Draft);
        await SaveAsync(photo, contact, published, draft);
        string[] urls = ["/api/articles/by-slug/publicerad", "/api/articles", "/odata/Articles?$select=title"];
        foreach (var url in urls)
            await Client.GetStringAsync(url);

        async Task EditAsync(Guid id, string title)
        {
            using var current = await editor.GetAsync($"/api/articles/{id}");
            var (response, json) = await editor.SendJson(HttpMethod.Put, $"/api/articles/{id}", new
            {
                title, lead = "Ingress.", body = new object[] { new { type = "Paragraph", text = "Text." }, new { type = "Image", photoId = photo.Id } },
                heroPhotoId = photo.Id, contactIds = new[] { contact.Id },
            }, ifMatch: current.Headers.ETag!.Tag);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), json?.ToJsonString());
        }
        await EditAsync(draft.Id, "Utkast, andra försöket");
        await EditAsync(published.Id, "Publicerad, ändrad men inte publicerad än");
        foreach (var url in urls)
        {
            using var response = await Client.GetAsync(url);
            Assert.That(CacheStatus(response), Is.EqualTo("ContentApi; hit"), $"{url} after work readers cannot see");
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Not.Contain("ändrad").And.Not.Contain("försöket"), url);
        }

        // New photos and contacts, and deleting unused ones, are invisible to readers too.
        using (var upload = await editor.PostAsync("/api/photos", Photos.UploadTests.Form(TestImages.Jpeg(400, 300))))
            Assert.That(upload.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var (createdContact, contactJson) = await editor.SendJson(HttpMethod.Post, "/api/contacts", new { name = "Ny Kontakt" });
        Assert.That(createdContact.StatusCode, Is.EqualTo(HttpStatusCode.Created), contactJson?.ToJsonString());
        var (deletedContact, _) = await editor.SendJson(HttpMethod.Delete, $"/api/contacts/{contactJson!["id"]}", ifMatch: "*");
        Assert.That(deletedContact.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        foreach (var url in urls)
        {
            using var response = await Client.GetAsync(url);
            Assert.That(CacheStatus(response), Is.EqualTo("ContentApi; hit"), $"{url} after new and deleted unused photos and contacts");
        }

        await publisher.SendJson(HttpMethod.Post, $"/api/articles/{published.Id}/publish");
        foreach (var url in urls)
            Assert.That(await Client.GetStringAsync(url), Does.Contain("Publicerad, ändrad men inte publicerad än"), url);
        await publisher.SendJson(HttpMethod.Post, $"/api/articles/{draft.Id}/publish");
        Assert.That(await Client.GetStringAsync("/api/articles"), Does.Contain("Utkast, andra försöket"));
    }

    private static string? CacheStatus(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Cache-Status", out var values) ? string.Join(", ", values) : null;

    private static byte[] Decompress(byte[] body, string encoding)
    {
        using var input = new MemoryStream(body);
        using Stream decompressor = encoding == "br"
            ? new System.IO.Compression.BrotliStream(input, System.IO.Compression.CompressionMode.Decompress)
            : new System.IO.Compression.GZipStream(input, System.IO.Compression.CompressionMode.Decompress);
        using var output = new MemoryStream();
        decompressor.CopyTo(output);
        return output.ToArray();
    }
}
