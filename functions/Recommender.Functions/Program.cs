using Recommender.Functions.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddRecommender();

var app = builder.Build();
app.MapRecommender();
app.Run();

/// <summary>Entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
