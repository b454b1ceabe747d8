using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace ContentApi.Infrastructure;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a database or the API's configuration.</summary>
public class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<ContentDbContext>
{
    public ContentDbContext CreateDbContext(string[] args) => new(new DbContextOptionsBuilder<ContentDbContext>()
        .UseNpgsql(Environment.GetEnvironmentVariable("ConnectionStrings__ContentDb") ?? "Host=localhost;Database=contentapi_design",
            ContentDbContext.ConfigureNpgsql)
        .UseSnakeCaseNamingConvention()
        .Options);
}
