using Recommender.Functions.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddRecommender();

var app = builder.Build();
if (!app.ClaimDataFolder(Console.Error))
{
    return 1; // a second instance on the same data folder: one line said why
}

app.MapRecommender();
app.Run();
return 0;

/// <summary>Entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
