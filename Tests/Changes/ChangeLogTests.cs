using System.Net;
using System.Text.Json.Nodes;
using ContentApi.Api.Changes;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Changes;

/// <summary>
/// The change log (migration ChangeLog): what each kind of save writes, that readers following positions never skip
/// an entry whatever order transactions commit in, the notification after commit, and pruning.
/// </summary>
public class ChangeLogTests : ApiTest
{
    private static async Task<long> LastPositionAsync()
    {
        await using var db = TestRun.Factory.CreateDbContext();
        return (await ChangeLog.StateAsync(db)).LastPosition;
    }

    /// <summary>The entries after <paramref name="position"/> as "Kind Change id".</summary>
    private static async Task<List<string>> EntriesAfterAsync(long position)
    {
        await using var db = TestRun.Factory.CreateDbContext();
        return await ChangeLog.After(db, position).Select(e => $"{e.Kind} {e.Change} {e.ContentId}").ToListAsync();
    }

    private static async Task SendAsync(HttpClient client, HttpMethod method, string url, object? body = null, string? ifMatch = null,
        string mediaType = "application/json")
    {
        var (response, json) = await client.SendJson(method, url, body, ifMatch, mediaType);
        Assert.That(response.IsSuccessStatusCode, $"{method} {url}: {(int)response.StatusCode} {json?.ToJsonString()}");
    }

    private static async Task<string> ETagAsync(HttpClient editor, string url)
    {
        using var response = await editor.GetAsync(url);
        return response.ETag()!;
    }

    /// <summary>Runs <paramref name="action"/> and returns what it wrote to the log.</summary>
    private static async Task<List<string>> LoggedByAsync(Func<Task> action)
    {
        var before = await LastPositionAsync();
        await action();
        return await EntriesAfterAsync(before);
    }

    [Test]
    public async Task EachKindOfSaveLogsWhatAnonymousReadersSeeChangeAndDraftWorkNothing()
    {
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var admin = await TestAuth.KeyClientAsync(Roles.Admin);
        var hero = Photo();
        var unused = Photo("Ett foto som inget visar.");
        var contact = Contact();
        await SaveAsync(hero, unused, contact);

        Guid id = default;
        var logged = await LoggedByAsync(async () =>
        {
            var (created, json) = await publisher.SendJson(HttpMethod.Post, "/api/articles", new
            {
                title = "Trafiken på Storgatan", lead = "Ingress.", body = new[] { new { type = "Paragraph", text = "Text." } },
                heroPhotoId = hero.Id, contactIds = new[] { contact.Id },
            });
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), json?.ToJsonString());
            id = Guid.Parse((string)json!["id"]!);
            await SendAsync(publisher, HttpMethod.Patch, $"/api/articles/{id}", """{"lead":"Ny ingress i utkastet."}""",
                await ETagAsync(publisher, $"/api/articles/{id}"), "application/merge-patch+json");
            await SendAsync(publisher, HttpMethod.Patch, $"/api/photos/{unused.Id}", """{"caption":"Ny bildtext."}""",
                await ETagAsync(publisher, $"/api/photos/{unused.Id}"), "application/merge-patch+json");
        });
        Assert.That(logged, Is.Empty, "a draft written twice and a photo no published content shows");

        logged = await LoggedByAsync(() => SendAsync(publisher, HttpMethod.Post, $"/api/articles/{id}/publish"));
        Assert.That(logged, Is.EquivalentTo(new[] { $"Article Upserted {id}", $"Photo Upserted {hero.Id}", $"Contact Upserted {contact.Id}" }),
            "a publish brings the article, its photo and its contact into view");

        logged = await LoggedByAsync(async () => await SendAsync(publisher, HttpMethod.Patch, $"/api/articles/{id}", """{"title":"Ny rubrik"}""",
            await ETagAsync(publisher, $"/api/articles/{id}"), "application/merge-patch+json"));
        Assert.That(logged, Is.Empty, "a pending version of a published article");

        logged = await LoggedByAsync(() => SendAsync(publisher, HttpMethod.Post, $"/api/articles/{id}/publish"));
        Assert.That(logged, Is.EqualTo(new[] { $"Article Upserted {id}" }), "publishing the pending version");

        logged = await LoggedByAsync(async () => await SendAsync(publisher, HttpMethod.Patch, $"/api/photos/{hero.Id}",
            """{"caption":"Hamnen en sommardag."}""", await ETagAsync(publisher, $"/api/photos/{hero.Id}"), "application/merge-patch+json"));
        Assert.That(logged, Is.EquivalentTo(new[] { $"Photo Upserted {hero.Id}", $"Article Upserted {id}" }),
            "a shown photo's caption, and the article whose answer carries it");

        logged = await LoggedByAsync(() => SendAsync(publisher, HttpMethod.Post, $"/api/articles/{id}/unpublish"));
        Assert.That(logged, Is.EquivalentTo(new[] { $"Article Removed {id}", $"Photo Removed {hero.Id}", $"Contact Removed {contact.Id}" }),
            "an unpublish takes the article, and the photo and contact only it showed, out of view");

        await SendAsync(publisher, HttpMethod.Post, $"/api/articles/{id}/publish");
        logged = await LoggedByAsync(() => SendAsync(publisher, HttpMethod.Post, $"/api/articles/{id}/archive"));
        Assert.That(logged, Has.Member($"Article Removed {id}"), "archive");

        await SendAsync(publisher, HttpMethod.Post, $"/api/articles/{id}/publish");
        logged = await LoggedByAsync(() => SendAsync(admin, HttpMethod.Post, $"/api/admin/contacts/{contact.Id}/erase"));
        Assert.That(logged, Is.EquivalentTo(new[] { $"Contact Removed {contact.Id}", $"Article Upserted {id}" }),
            "an erasure removes the person and changes the article that named them");

        logged = await LoggedByAsync(async () => await SendAsync(publisher, HttpMethod.Delete, $"/api/articles/{id}",
            ifMatch: await ETagAsync(publisher, $"/api/articles/{id}")));
        Assert.That(logged, Is.EquivalentTo(new[] { $"Article Removed {id}", $"Photo Removed {hero.Id}" }), "a delete of a published article");

        var pledge = Pledge(2025, ContentStatus.Draft);
        pledge.PhotoId = unused.Id;
        await SaveAsync(pledge);
        var about = Article("Om medborgarlöftet");
        about.PledgeId = pledge.Id;
        await SaveAsync(about);
        logged = await LoggedByAsync(() => SendAsync(publisher, HttpMethod.Post, $"/api/pledges/{pledge.Id}/publish"));
        Assert.That(logged, Is.EquivalentTo(new[] { $"Pledge Upserted {pledge.Id}", $"Photo Upserted {unused.Id}", $"Article Upserted {about.Id}" }),
            "a pledge's publish, with its photo and the published article that now shows it");
        logged = await LoggedByAsync(() => SendAsync(publisher, HttpMethod.Post, $"/api/articles/{about.Id}/unpublish"));
        Assert.That(logged, Is.EquivalentTo(new[] { $"Article Removed {about.Id}", $"Pledge Upserted {pledge.Id}" }),
            "an article about a pledge leaves the pledge's list of articles");
    }

    [Test]
    public async Task EntriesCarryTheVersionAndTheCommitTimeAndPositionsFollowCommits()
    {
        var article = Article("Versioner");
        await SaveAsync(article);
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        await SendAsync(publisher, HttpMethod.Post, $"/api/articles/{article.Id}/unpublish");
        await using var db = TestRun.Factory.CreateDbContext();
        var entries = await db.ChangeLogEntries.AsNoTracking().OrderBy(e => e.Position).ToListAsync();
        Assert.That(entries.Select(e => (e.Kind, e.Change, e.Version)),
            Is.EqualTo(new[] { (ContentKind.Article, ChangeKind.Upserted, (int?)1), (ContentKind.Article, ChangeKind.Removed, (int?)2) }));
        Assert.That(entries[1].Position, Is.GreaterThan(entries[0].Position));
        Assert.That(entries[1].ChangedAt, Is.GreaterThanOrEqualTo(entries[0].ChangedAt));
        Assert.That(await LastPositionAsync(), Is.EqualTo(entries[1].Position));
    }

    [Test]
    public async Task AReaderNeverSkipsAnEntryWhenTransactionsCommitInAnotherOrderThanTheyWrote()
    {
        var first = Article("Första");
        var second = Article("Andra");
        await SaveAsync(first, second);
        var cursor = await LastPositionAsync();

        // The first transaction writes first and commits last.
        await using var early = new NpgsqlConnection(TestRun.ConnectionString);
        await early.OpenAsync();
        await using var earlyTransaction = await early.BeginTransactionAsync();
        await Execute(early, $"UPDATE articles SET title = 'Första, ändrad' WHERE id = '{first.Id}'");
        await using (var late = new NpgsqlConnection(TestRun.ConnectionString))
        {
            await late.OpenAsync();
            await Execute(late, $"UPDATE articles SET title = 'Andra, ändrad' WHERE id = '{second.Id}'");
        }

        await using var db = TestRun.Factory.CreateDbContext();
        var seen = await ChangeLog.After(db, cursor).AsNoTracking().ToListAsync();
        Assert.That(seen.Select(e => e.ContentId), Is.EqualTo(new[] { second.Id }), "only the committed transaction's entry");
        cursor = seen[^1].Position;

        await earlyTransaction.CommitAsync();
        seen = await ChangeLog.After(db, cursor).AsNoTracking().ToListAsync();
        Assert.That(seen.Select(e => e.ContentId), Is.EqualTo(new[] { first.Id }),
            "the entry of the transaction that wrote first and committed last comes after the cursor, not before it");
        Assert.That(seen[0].Position, Is.GreaterThan(cursor));
    }

    [Test]
    public async Task ConcurrentWritersAndAFollowingReaderAgreeOnEveryEntry()
    {
        var articles = Enumerable.Range(0, 24).Select(i => Article($"Artikel {i}")).ToArray();
        await SaveAsync(articles);
        var start = await LastPositionAsync();
        using var writing = new CancellationTokenSource();

        // A reader follows the log by position while six writers flip articles in transactions that hold their
        // entries for a random while before committing.
        var followed = new List<long>();
        var reader = Task.Run(async () =>
        {
            var cursor = start;
            await using var db = TestRun.Factory.CreateDbContext();
            while (true)
            {
                var done = writing.IsCancellationRequested;
                foreach (var position in await ChangeLog.After(db, cursor).Select(e => e.Position).ToListAsync())
                {
                    followed.Add(position);
                    cursor = position;
                }
                if (done)
                    return;
            }
        });
        var writers = Enumerable.Range(0, 6).Select(writer => Task.Run(async () =>
        {
            var random = new Random(writer);
            await using var connection = new NpgsqlConnection(TestRun.ConnectionString);
            await connection.OpenAsync();
            for (var round = 0; round < 15; round++)
            {
                await using var transaction = await connection.BeginTransactionAsync();
                foreach (var article in articles.Where((_, i) => i % 6 == writer).Take(1 + random.Next(4)))
                    await Execute(connection, $"UPDATE articles SET title = 'Runda {round} {writer}' WHERE id = '{article.Id}'");
                await Task.Delay(random.Next(15));
                await transaction.CommitAsync();
            }
        })).ToArray();
        await Task.WhenAll(writers);
        writing.Cancel();
        await reader;

        await using var check = TestRun.Factory.CreateDbContext();
        var all = await ChangeLog.After(check, start).Select(e => e.Position).ToListAsync();
        Assert.That(all, Has.Count.GreaterThanOrEqualTo(6 * 15));
        Assert.That(all, Is.Ordered.Ascending.And.Unique);
        Assert.That(followed, Is.EqualTo(all), "the reader saw every entry, each once, in order");
    }

    [Test]
    public async Task AnEditCommittedAfterAConcurrentPublishThatShowsItIsLogged()
    {
        // A photo no published content shows is edited while another transaction publishes an article showing it;
        // the edit commits last. Whether the photo is shown is decided at commit, not when the edit was written.
        var photo = Photo();
        await SaveAsync(photo);
        var draft = Article("Med foto", ContentStatus.Draft);
        draft.HeroPhotoId = photo.Id;
        var pledge = Pledge(2025);
        var about = Article("Om löftet", ContentStatus.Draft);
        about.PledgeId = pledge.Id;
        await SaveAsync(draft, pledge, about);
        var start = await LastPositionAsync();

        await using var editor = new NpgsqlConnection(TestRun.ConnectionString);
        await editor.OpenAsync();
        await using var edit = await editor.BeginTransactionAsync();
        await Execute(editor, $"UPDATE photos SET caption = 'Ny bildtext', version = version + 1 WHERE id = '{photo.Id}'");
        await Execute(editor, $"UPDATE pledges SET title = 'Nytt namn', version = version + 1 WHERE id = '{pledge.Id}'");
        await using (var publisher = new NpgsqlConnection(TestRun.ConnectionString))
        {
            await publisher.OpenAsync();
            await Execute(publisher, $"UPDATE articles SET status = 'Published', published_at = now() WHERE id IN ('{draft.Id}', '{about.Id}')");
        }
        var published = await EntriesAfterAsync(start);
        await edit.CommitAsync();
        var edited = await EntriesAfterAsync(start);

        Assert.That(published, Is.SupersetOf(new[] { $"Article Upserted {draft.Id}", $"Photo Upserted {photo.Id}", $"Article Upserted {about.Id}" }));
        Assert.That(edited.Skip(published.Count), Is.EquivalentTo(new[]
        {
            $"Photo Upserted {photo.Id}", $"Article Upserted {draft.Id}", $"Pledge Upserted {pledge.Id}", $"Article Upserted {about.Id}",
        }), "the edits come after the publish, with the articles whose answers carry them");
    }

    [Test]
    public async Task ContentPublishedAndWithdrawnInOneTransactionWritesNothingAndTwoChangesWriteOneEntry()
    {
        var article = Article("Kort liv", ContentStatus.Draft);
        var shown = Article("Visad");
        await SaveAsync(article, shown);
        var start = await LastPositionAsync();
        await using var connection = new NpgsqlConnection(TestRun.ConnectionString);
        await connection.OpenAsync();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await Execute(connection, $"UPDATE articles SET status = 'Published', published_at = now() WHERE id = '{article.Id}'");
            await Execute(connection, $"UPDATE articles SET status = 'Draft' WHERE id = '{article.Id}'");
            await Execute(connection, $"UPDATE articles SET title = 'Ett' WHERE id = '{shown.Id}'");
            await Execute(connection, $"UPDATE articles SET title = 'Två' WHERE id = '{shown.Id}'");
            await transaction.CommitAsync();
        }
        Assert.That(await EntriesAfterAsync(start), Is.EqualTo(new[] { $"Article Upserted {shown.Id}" }),
            "nobody saw the short-lived article; the one changed twice is one entry");
        await using var db = TestRun.Factory.CreateDbContext();
        Assert.That(await db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM change_log_notes").SingleAsync(), Is.Zero,
            "no notes are left behind");
    }

    [Test]
    public async Task DeletingAPublishedArticleRemovesTheContactOnlyItNamed()
    {
        var contact = Contact();
        var kept = Contact("Kvar Kvarsson");
        await SaveAsync(contact, kept);
        var article = Article("Med kontakt");
        var other = Article("Annan");
        await SaveAsync(article, other);
        await using (var db = TestRun.Factory.CreateDbContext())
        {
            db.ArticleContacts.AddRange(new ArticleContact { ArticleId = article.Id, ContactId = contact.Id },
                new ArticleContact { ArticleId = article.Id, ContactId = kept.Id },
                new ArticleContact { ArticleId = other.Id, ContactId = kept.Id });
            await db.SaveChangesAsync();
        }
        var publisher = await TestAuth.KeyClientAsync(Roles.Publisher);
        var logged = await LoggedByAsync(async () => await SendAsync(publisher, HttpMethod.Delete, $"/api/articles/{article.Id}",
            ifMatch: await ETagAsync(publisher, $"/api/articles/{article.Id}")));
        Assert.That(logged, Is.EquivalentTo(new[] { $"Article Removed {article.Id}", $"Contact Removed {contact.Id}" }),
            "the contact another article still names stays in view, unchanged: no entry");
    }

    [Test]
    public async Task EachEntryIsAnnouncedAfterItsCommitAndNotBefore()
    {
        var article = Article("Meddelad");
        await SaveAsync(article);
        await using var listener = new NpgsqlConnection(TestRun.ConnectionString);
        await listener.OpenAsync();
        var received = new List<string>();
        listener.Notification += (_, e) => received.Add(e.Payload);
        await Execute(listener, "LISTEN content_changes");

        await using var writer = new NpgsqlConnection(TestRun.ConnectionString);
        await writer.OpenAsync();
        await using (var transaction = await writer.BeginTransactionAsync())
        {
            await Execute(writer, $"UPDATE articles SET status = 'Draft' WHERE id = '{article.Id}'");
            await listener.WaitAsync(TimeSpan.FromMilliseconds(300));
            Assert.That(received, Is.Empty, "nothing before the commit");
            await transaction.CommitAsync();
        }
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (received.Count == 0 && DateTime.UtcNow < deadline)
            await listener.WaitAsync(TimeSpan.FromMilliseconds(200));
        var payload = JsonNode.Parse(received.Single())!;
        Assert.That((string?)payload["kind"], Is.EqualTo("Article"));
        Assert.That((string?)payload["change"], Is.EqualTo("Removed"));
        Assert.That(Guid.Parse((string)payload["id"]!), Is.EqualTo(article.Id));
        Assert.That((long)payload["position"]!, Is.EqualTo(await LastPositionAsync()));
    }

    [Test]
    public async Task PruningDeletesOldEntriesAndMarksWhereTheLogNowStarts()
    {
        var articles = Enumerable.Range(0, 5).Select(i => Article($"Gammal {i}")).ToArray();
        await SaveAsync(articles);
        var last = await LastPositionAsync();
        await using (var connection = new NpgsqlConnection(TestRun.ConnectionString))
        {
            await connection.OpenAsync();
            await Execute(connection, $"UPDATE change_log SET changed_at = now() - interval '100 days' WHERE position <= {last - 2}");
        }
        var retention = TestRun.Factory.Services.GetRequiredService<ChangeLogRetention>();
        Assert.That(await retention.PruneAsync(DateTimeOffset.UtcNow.AddDays(-90), batchSize: 2), Is.EqualTo(3));
        await using var db = TestRun.Factory.CreateDbContext();
        var state = await ChangeLog.StateAsync(db);
        Assert.That(state.PrunedThrough, Is.EqualTo(last - 2));
        Assert.That(await ChangeLog.After(db, 0).Select(e => e.Position).ToListAsync(), Is.EqualTo(new[] { last - 1, last }));
        Assert.That(await retention.PruneAsync(DateTimeOffset.UtcNow.AddDays(-90), batchSize: 2), Is.Zero);
    }

    /// <summary>
    /// The log's triggers decide "public now" in SQL (content_is_public); the API decides it with the delivery face's
    /// query filters (Domain/Visibility.cs). They must agree on every item, whatever its status and whatever uses it.
    /// </summary>
    [Test]
    public async Task TheLogsRuleOfWhatIsPublicAgreesWithTheDeliveryFace()
    {
        var photos = Enumerable.Range(0, 6).Select(i => Photo($"Foto {i}")).ToArray();
        var contacts = Enumerable.Range(0, 5).Select(i => Contact($"Person {i}")).ToArray();
        await SaveAsync([.. photos, .. contacts]);
        var statuses = new[] { ContentStatus.Published, ContentStatus.Draft, ContentStatus.Archived };
        var articles = new List<Article>();
        for (var i = 0; i < 6; i++)
        {
            var article = Article($"Artikel {i}", statuses[i % 3], i);
            article.HeroPhotoId = i < 3 ? photos[i].Id : null;
            if (i == 3)
                article.Body.Add(Block.Image(photos[3].Id));
            articles.Add(article);
        }
        var pledges = new[] { Pledge(2024), Pledge(2025, ContentStatus.Draft) };
        pledges[0].PhotoId = photos[4].Id;
        pledges[1].PhotoId = photos[5].Id;
        pledges[0].ContactId = contacts[3].Id;
        pledges[1].ContactId = contacts[4].Id;
        await SaveAsync([.. articles, .. pledges]);
        await using (var db = TestRun.Factory.CreateDbContext())
        {
            db.ArticleContacts.AddRange(
                new ArticleContact { ArticleId = articles[0].Id, ContactId = contacts[0].Id },
                new ArticleContact { ArticleId = articles[1].Id, ContactId = contacts[1].Id },
                new ArticleContact { ArticleId = articles[2].Id, ContactId = contacts[2].Id },
                new ArticleContact { ArticleId = articles[1].Id, ContactId = contacts[0].Id });
            await db.SaveChangesAsync();
        }

        await using var face = TestRun.Factory.CreateDbContext();
        var items = articles.Select(a => ("Article", a.Id)).Concat(pledges.Select(p => ("Pledge", p.Id)))
            .Concat(photos.Select(p => ("Photo", p.Id))).Concat(contacts.Select(c => ("Contact", c.Id)));
        foreach (var (kind, id) in items)
        {
            var bySql = await face.Database.SqlQuery<bool>($"SELECT content_is_public({kind}, {id}) AS \"Value\"").SingleAsync();
            var byFace = kind switch
            {
                "Article" => await face.Articles.AnyAsync(a => a.Id == id),
                "Pledge" => await face.Pledges.AnyAsync(p => p.Id == id),
                "Photo" => await face.Photos.AnyAsync(p => p.Id == id),
                _ => await face.Contacts.AnyAsync(c => c.Id == id),
            };
            Assert.That(bySql, Is.EqualTo(byFace), $"{kind} {id}");
        }
        Assert.That(await face.Photos.CountAsync(), Is.EqualTo(3), "the test covers both answers");
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
