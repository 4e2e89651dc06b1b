using Recommender.Domain.Events;

namespace Recommender.Domain.Attribution;

/// <summary>Where a touch (or attributed revenue) came from: the channels of the report.</summary>
public static class AttributionChannels
{
    public const string Recommendation = "recommendation";
    public const string Email = "email";
    public const string Push = "push";
    /// <summary>Revenue no touch earned (or not attributed individually): the reconciling bucket.</summary>
    public const string None = "none";

    public static readonly IReadOnlyList<string> All = [Recommendation, Email, Push, None];
}

/// <summary>A click earns within the click window, a view (impression, open, send) within the view window.</summary>
public enum TouchKind
{
    View,
    Click,
}

/// <summary>
/// The row a touch's outcomes are reported under: the channel, its source (the placement of a
/// recommendation, the campaign of an email or push) and the experiment variant (recommendations only).
/// </summary>
public sealed record AttributionBucket(string Channel, string Source, string Variant)
{
    /// <summary>Placeholder of an absent source or variant.</summary>
    public const string NotSet = "-";

    public static readonly AttributionBucket Unattributed = new(AttributionChannels.None, NotSet, NotSet);
}

/// <summary>
/// One touch of a consenting customer's journey: the event that made it, when, what kind, where it
/// came from, and the ids a purchase joins on (the recommendation id, the message id, the product).
/// </summary>
public sealed record Touchpoint
{
    public required string EventId { get; init; }
    public required DateTimeOffset At { get; init; }
    public required TouchKind Kind { get; init; }
    public required string Channel { get; init; }
    public required string Source { get; init; }
    public string Variant { get; init; } = AttributionBucket.NotSet;
    public string? RecommendationId { get; init; }
    public string? MessageId { get; init; }
    public string? ProductId { get; init; }

    public AttributionBucket Bucket => new(Channel, Source, Variant);

    /// <summary>The touch an event makes (null for events that are no touch): recommendation impressions and clicks, email and push opens and clicks.</summary>
    public static Touchpoint? Of(ClickstreamEvent e)
    {
        var (kind, channel) = e.Type switch
        {
            EventType.RecommendationImpression => (TouchKind.View, AttributionChannels.Recommendation),
            EventType.RecommendationClick => (TouchKind.Click, AttributionChannels.Recommendation),
            EventType.EmailOpen => (TouchKind.View, AttributionChannels.Email),
            EventType.EmailClick => (TouchKind.Click, AttributionChannels.Email),
            EventType.PushOpen => (TouchKind.View, AttributionChannels.Push),
            EventType.PushClick => (TouchKind.Click, AttributionChannels.Push),
            _ => ((TouchKind?)null, (string?)null),
        };
        if (kind is null)
        {
            return null;
        }

        var recommendation = channel == AttributionChannels.Recommendation;
        return new Touchpoint
        {
            EventId = e.Id,
            At = e.OccurredAt,
            Kind = kind.Value,
            Channel = channel!,
            Source = (recommendation ? e.Placement : e.CampaignId) ?? AttributionBucket.NotSet,
            Variant = recommendation ? e.Variant ?? AttributionBucket.NotSet : AttributionBucket.NotSet,
            RecommendationId = e.RecommendationId,
            MessageId = e.MessageId,
            ProductId = e.ProductId,
        };
    }
}
