namespace Recommender.Domain.Events;

/// <summary>The kinds of clickstream event schema version 1 accepts (wire names are snake_case).</summary>
public enum EventType
{
    View,
    AddToCart,
    RemoveFromCart,
    Purchase,
    Consent,
}
