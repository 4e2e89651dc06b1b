using Microsoft.AspNetCore.Http.HttpResults;
using Recommender.Domain.Events;
using Recommender.Domain.Recommendations;

namespace Recommender.Functions.Endpoints;

/// <summary><c>GET /api/recommendations/{customerId}?placement=home|product|cart&amp;count=10&amp;productId=...</c></summary>
public static class RecommendationsEndpoints
{
    public const int DefaultCount = 10;

    public static IEndpointRouteBuilder MapRecommendationsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/recommendations/{customerId}", GetAsync).WithName("api-recommendations");
        return app;
    }

    private static async Task<Results<Ok<RecommendationResponse>, ValidationProblem>> GetAsync(
        string customerId, string? placement, string? count, string? productId, RecommendationService recommendations, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!EventValidator.IsValidId(customerId))
        {
            errors["customerId"] = ["customerId must be 1-128 letters, digits or - _ . : @"];
        }

        var parsedPlacement = Placement.Home;
        if (placement is not null && !TryParsePlacement(placement, out parsedPlacement))
        {
            errors["placement"] = ["placement must be one of: home, product, cart"];
        }

        var parsedCount = DefaultCount;
        if (count is not null && (!int.TryParse(count, out parsedCount) || parsedCount < 1 || parsedCount > RecommendationRequest.MaxCount))
        {
            errors["count"] = [$"count must be a whole number from 1 to {RecommendationRequest.MaxCount}"];
        }

        if (productId is not null && !EventValidator.IsValidId(productId))
        {
            errors["productId"] = ["productId must be 1-128 letters, digits or - _ . : @"];
        }
        else if (parsedPlacement == Placement.Product && productId is null)
        {
            errors["productId"] = ["the product placement needs a productId"];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var response = await recommendations.GetAsync(new RecommendationRequest(customerId, parsedPlacement, parsedCount, productId), cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(response);
    }

    private static bool TryParsePlacement(string value, out Placement placement)
    {
        placement = value switch
        {
            "home" => Placement.Home,
            "product" => Placement.Product,
            "cart" => Placement.Cart,
            _ => (Placement)(-1),
        };
        return Enum.IsDefined(placement);
    }
}
