using System.Net;
using ContentApi.Domain;
using ContentApi.Tests.Support;
using static ContentApi.Tests.Support.ContentBuilder;

namespace ContentApi.Tests.Editorial;

public class ScheduleRestartTests : ApiTest
{
    /// <summary>A schedule lives in the database: an API started later (a restart) carries it out by itself.</summary>
    [Test]
    public async Task ABackgroundRunnerStartedLaterCarriesOutADueSchedule()
    {
        var draft = Article("Efter omstart", ContentStatus.Draft);
        await SaveAsync(draft);
        await using (var db = TestRun.Factory.CreateDbContext())
        {
            db.Schedules.Add(new Schedule
            {
                Id = Guid.NewGuid(), ContentKind = ContentKind.Article, ContentId = draft.Id, Action = ScheduledAction.Publish,
                DueAt = DateTimeOffset.UtcNow.AddMinutes(-5), CreatedBy = "tests", CreatedAt = DateTimeOffset.UtcNow.AddHours(-1),
            });
            await db.SaveChangesAsync();
        }

        await using var restarted = new ContentApiFactory(TestRun.ConnectionString, TestRun.PhotoFolder, TimeSpan.FromMilliseconds(200));
        restarted.Clock.Now = DateTimeOffset.UtcNow;
        using var client = restarted.CreateClient();
        var status = HttpStatusCode.NotFound;
        for (var attempt = 0; attempt < 100 && status != HttpStatusCode.OK; attempt++)
        {
            await Task.Delay(100);
            status = (await client.GetAsync("/api/articles/by-slug/efter-omstart")).StatusCode;
        }
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
    }
}
