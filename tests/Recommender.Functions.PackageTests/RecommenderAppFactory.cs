using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Recommender.Functions.PackageTests;

/// <summary>
/// The handler running in-process: environment <c>Testing</c> (no sample-data seeding), embedded
/// storage in a fresh temp folder, and no local queue pump, so queue messages stay where the
/// invocations put them.
/// </summary>
public sealed class RecommenderAppFactory : WebApplicationFactory<Program>
{
    private readonly TempDirectory _data = new("data");

    public string DataDirectory => _data.Path;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        // Host settings reach WebApplicationBuilder.Configuration before Program reads it.
        builder.UseSetting("Recommender:Mode", "Embedded");
        builder.UseSetting("Recommender:DataDirectory", _data.Path);
        builder.UseSetting("Recommender:QueuePump:Enabled", "false");
        builder.UseSetting("Recommender:Seed:Enabled", "false");
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _data.Dispose();
        }
    }
}
