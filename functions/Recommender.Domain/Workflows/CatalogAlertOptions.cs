namespace Recommender.Domain.Workflows;

/// <summary>Configuration section <c>Recommender:CatalogAlerts</c>: when catalog changes alert the customers watching.</summary>
public sealed class CatalogAlertOptions
{
    public const string Section = "Recommender:CatalogAlerts";

    /// <value>How far below the price a watcher saw the new price must be for a price-drop alert (0.10: at least 10 % lower).</value>
    public decimal PriceDropThreshold { get; set; } = 0.10m;
    /// <value>How long a product view keeps a customer watching the product (a wishlisting lasts until removed).</value>
    public TimeSpan ViewWindow { get; set; } = TimeSpan.FromDays(30);
    /// <value>Flash sales: a customer hears of a sale when its category is among their this-many strongest category affinities.</value>
    public int TopCategories { get; set; } = 3;

    /// <summary>What start-up validation checks (views cannot outlive the <c>watchers</c> container's 180-day TTL).</summary>
    public bool IsValid =>
        PriceDropThreshold > 0 && PriceDropThreshold < 1 && ViewWindow > TimeSpan.Zero && ViewWindow <= ProductWatchers.TimeToLive && TopCategories >= 1;
}
