namespace Recommender.Domain.Events;

/// <summary>
/// One line of a purchase or a return. <see cref="Price"/> (unit price) is always present on
/// purchase lines; return lines may leave it out. <see cref="RecommendationId"/> attributes the line
/// to the recommendation the product was clicked from (the storefront echoes it back), which teaches
/// the serving bandit which strategies sell.
/// </summary>
public sealed record OrderLine(string ProductId, int Quantity, decimal? Price)
{
    public string? RecommendationId { get; init; }
}
