namespace Recommender.Domain.Recommendations;

/// <summary>Where on the storefront (or in which message) the list is shown.</summary>
public enum Placement
{
    /// <summary>"Recommended for you" on the home page.</summary>
    Home,
    /// <summary>Similar items on a product page (needs a product id).</summary>
    Product,
    /// <summary>"Customers who bought this also bought" on a product page (needs a product id).</summary>
    AlsoBought,
    /// <summary>Cross-sell for the items in the customer's cart.</summary>
    Cart,
    /// <summary>Complementary items from other categories (needs a product id).</summary>
    CompleteTheLook,
    /// <summary>What is trending now, overall or in one category.</summary>
    Trending,
    /// <summary>The customer's recently viewed products.</summary>
    RecentlyViewed,
    /// <summary>A block of a few items with everything an email template needs.</summary>
    Email,
}

public static class Placements
{
    /// <summary>Wire names: <c>home</c>, <c>product</c>, <c>also_bought</c>, <c>cart</c>, <c>complete_the_look</c>, <c>trending</c>, <c>recently_viewed</c>, <c>email</c>.</summary>
    public static readonly IReadOnlyDictionary<string, Placement> ByName = new Dictionary<string, Placement>(StringComparer.Ordinal)
    {
        ["home"] = Placement.Home,
        ["product"] = Placement.Product,
        ["also_bought"] = Placement.AlsoBought,
        ["cart"] = Placement.Cart,
        ["complete_the_look"] = Placement.CompleteTheLook,
        ["trending"] = Placement.Trending,
        ["recently_viewed"] = Placement.RecentlyViewed,
        ["email"] = Placement.Email,
    };

    private static readonly string[] Names = [.. Enum.GetValues<Placement>().Select(p => ByName.First(kv => kv.Value == p).Key)];

    public static string NameOf(Placement placement) => Names[(int)placement];

    /// <summary>Placements that need the product being looked at.</summary>
    public static bool NeedsProduct(Placement placement) => placement is Placement.Product or Placement.AlsoBought or Placement.CompleteTheLook;
}
