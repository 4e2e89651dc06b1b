namespace Recommender.Domain.Events;

/// <summary>The kind of page a <c>page_view</c> or <c>scroll_depth</c> event is about.</summary>
public enum PageType
{
    Home,
    Category,
    Product,
    Search,
    Cart,
    Checkout,
    Account,
    Other,
}

/// <summary>The kind of device an event came from (<c>context.device</c>).</summary>
public enum DeviceType
{
    Desktop,
    Mobile,
    Tablet,
    App,
}

/// <summary>Why order lines were returned (<c>return.reason</c>).</summary>
public enum ReturnReason
{
    Damaged,
    WrongItem,
    NotAsDescribed,
    NoLongerNeeded,
    Other,
}

/// <summary>What changed about a product (<c>catalog_change.change</c>).</summary>
public enum CatalogChangeKind
{
    Price,
    Stock,
    NewProduct,
    Discontinued,
    /// <summary>A flash sale in a category (<c>category</c>, optional <c>percent</c> and <c>name</c>; no product).</summary>
    Sale,
}
