namespace Recommender.Models;

/// <summary>
/// An algorithm whose learned model is an item-to-item relation: for any training item, the items
/// most related to it. Serving stores these lists and scores a customer's history against them, so
/// only such algorithms can be promoted to serve.
/// </summary>
public interface IItemToItem
{
    /// <summary>Every item the model was trained on.</summary>
    IReadOnlyList<string> Items { get; }

    /// <summary>The <paramref name="k"/> items most related to <paramref name="item"/> (never the item itself), best first.</summary>
    IReadOnlyList<ScoredItem> SimilarItems(string item, int k);
}
