namespace Recommender.Domain.Events;

/// <summary>
/// The kinds of clickstream event schema version 1 accepts. Wire names are the snake_case of the
/// member names (<c>AddToCart</c> is <c>add_to_cart</c>); the same names are used when an event is
/// written back out, so a normalized event validates again unchanged.
/// </summary>
public enum EventType
{
    /// <summary>A product page was viewed (the product view).</summary>
    View,
    AddToCart,
    RemoveFromCart,
    Purchase,
    Consent,

    SessionStart,
    PageView,
    Search,
    Filter,
    WishlistAdd,
    WishlistRemove,
    Compare,
    ReviewRead,
    ReviewWrite,
    VideoView,
    ImageZoom,
    ScrollDepth,
    CheckoutStart,
    Return,
    EmailOpen,
    EmailClick,
    PushOpen,
    PushClick,
    RecommendationImpression,
    RecommendationClick,
    /// <summary>A product changed in the catalog: about products, never about a person.</summary>
    CatalogChange,
    /// <summary>A login: links the anonymous visitor (<c>anonymousId</c>) to the customer.</summary>
    Identify,
    /// <summary>Account facts the customer gave: birth year, verified adulthood, time zone.</summary>
    Account,
    /// <summary>An order reached the customer (from the order or carrier system): starts the post-purchase cross-sell.</summary>
    Delivery,
    /// <summary>The customer said they do not want a product ("not interested", a dislike): it leaves their lists at once.</summary>
    NotInterested,
}
