using Recommender.Domain.Events;

namespace Recommender.Domain.Profiles;

/// <summary>What applying a customer's events changed: drives counters, workflows and cache refresh.</summary>
public sealed class ProfileChanges
{
    /// <summary>Events applied for the first time (duplicates excluded), in event-time order.</summary>
    public List<ClickstreamEvent> Applied { get; } = [];
    /// <summary>Pairs of products viewed close together by this customer (for real-time co-occurrence).</summary>
    public List<(string A, string B)> CoViewed { get; } = [];
    public bool CartChanged { get; set; }
    public bool Purchased { get; set; }
    public bool ConsentChanged { get; set; }
    public bool IsNewProfile { get; set; }

    /// <summary>Changes that alter what the customer should be recommended.</summary>
    public bool Material => Applied.Any(e => e.Type != EventType.Consent);
}
