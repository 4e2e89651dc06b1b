using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Recommender.Domain;
using Recommender.Domain.Catalog;
using Recommender.Domain.Events;
using Recommender.Domain.Training;

namespace Recommender.Functions.Endpoints;

/// <summary>
/// The data team's endpoints: on-demand retraining and catalog upload. In Azure these are
/// functions with <c>authLevel: function</c>.
/// </summary>
public static class AdminEndpoints
{
    public const int MaxCatalogBytes = 32 * 1024 * 1024;

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/admin/retrain", RetrainAsync).WithName("api-retrain");
        app.MapPut("/api/admin/catalog", PutCatalogAsync).WithName("api-catalog");
        app.MapGet("/api/health", () => TypedResults.Ok(new { status = "ok" })).WithName("api-health");
        return app;
    }

    private static async Task<Ok<RetrainResult>> RetrainAsync(RetrainingService retraining, CancellationToken cancellationToken) =>
        TypedResults.Ok(await retraining.RetrainAsync(cancellationToken).ConfigureAwait(false));

    private static async Task<Results<NoContent, ProblemHttpResult>> PutCatalogAsync(HttpRequest request, CatalogProvider catalog, CancellationToken cancellationToken)
    {
        var (body, tooLarge) = await RequestBody.ReadAsync(request, MaxCatalogBytes, cancellationToken).ConfigureAwait(false);
        if (tooLarge)
        {
            return TypedResults.Problem($"the catalog is larger than {MaxCatalogBytes} bytes", statusCode: 413);
        }

        List<Product>? products;
        try
        {
            products = JsonSerializer.Deserialize<List<Product>>(body ?? "", Json.Options);
        }
        catch (JsonException ex)
        {
            return TypedResults.Problem($"the catalog must be a JSON array of products: {ex.Message}", statusCode: 400);
        }

        var invalid = products?.FirstOrDefault(p => !EventValidator.IsValidId(p.Id) || string.IsNullOrWhiteSpace(p.Name) || p.Price < 0);
        if (products is null || invalid is not null)
        {
            return TypedResults.Problem(invalid is null ? "the catalog must be a JSON array of products" : $"product '{invalid.Id}' needs a valid id, a name and a price >= 0", statusCode: 400);
        }

        try
        {
            await catalog.SaveAsync(products, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: 400);
        }

        return TypedResults.NoContent();
    }
}
