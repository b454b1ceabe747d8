using ContentApi.Infrastructure;
using ContentApi.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ContentApi.Tests.Delivery;

/// <summary>The API has PostgreSQL prepare its statements unless the connection string says otherwise.</summary>
public class PreparedStatementTests : ApiTest
{
    [TestCase("Host=db;Database=content;Username=api;Password=s3cret", 64)]
    [TestCase("Host=db;Database=content;Max Auto Prepare=10", 10)]
    [TestCase("Host=db;Database=content;max auto prepare=0", 0)]
    [TestCase("Host=db;Database=content;MaxAutoPrepare=5", 5)]
    public void AutoPrepareIsOnUnlessTheConnectionStringSetsIt(string given, int expected)
    {
        var builder = new NpgsqlConnectionStringBuilder(DependencyInjection.WithPreparedStatements(given));
        Assert.That(builder.MaxAutoPrepare, Is.EqualTo(expected));
        Assert.That(builder.Host, Is.EqualTo("db"));
        Assert.That(builder.Database, Is.EqualTo("content"));
    }

    [Test]
    public void ThePasswordIsKept()
    {
        var builder = new NpgsqlConnectionStringBuilder(
            DependencyInjection.WithPreparedStatements("Host=db;Username=api;Password=s3cret;Database=content"));
        Assert.That(builder.Password, Is.EqualTo("s3cret"));
        Assert.That(builder.Username, Is.EqualTo("api"));
    }

    [Test]
    public async Task TheApisConnectionsPrepareWhatTheySendAgainAndAgain()
    {
        await ContentBuilder.SaveAsync(ContentBuilder.Article("Förberett"));
        using var scope = TestRun.Factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ContentDbContext>();
        Assert.That(new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString()).MaxAutoPrepare,
            Is.EqualTo(DependencyInjection.DefaultMaxAutoPrepare));

        // One connection held open: Npgsql prepares a statement once it has been sent 5 times on it.
        await db.Database.OpenConnectionAsync();
        for (var i = 0; i < 6; i++)
            Assert.That(await db.Articles.AsNoTracking().Where(a => a.Slug == "forberett").Select(a => a.Title).SingleAsync(),
                Is.EqualTo("Förberett"));
        var prepared = await db.Database.SqlQueryRaw<string>("SELECT statement AS \"Value\" FROM pg_prepared_statements").ToListAsync();
        Assert.That(prepared, Has.Some.Contains("FROM articles"));
    }
}
