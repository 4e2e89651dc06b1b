using Recommender.Domain.Catalog;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Webhooks;

namespace Recommender.Domain.Workflows;

/// <summary>
/// What a lifecycle message is decided and composed from: the customer's profile and scores, the
/// catalog, recommendations, and whether a provider is configured for the channel.
/// </summary>
public sealed class MessageSources(ProfileStore profiles, CatalogProvider catalog, RecommendationService recommendations, LifecycleScores lifecycleScores,
    WebhookSender webhooks)
{
    public ProfileStore Profiles => profiles;
    public CatalogProvider Catalog => catalog;
    public RecommendationService Recommendations => recommendations;
    public LifecycleScores LifecycleScores => lifecycleScores;

    /// <summary>A provider is configured for <paramref name="channel"/>.</summary>
    public bool CanSend(string channel) => webhooks.IsConfigured(channel);

    /// <summary>
    /// Why a message about the customer's own behaviour may not be decided now (unknown customer, not personalized
    /// for, no consent, no provider); null when it may (<see cref="WorkflowMessages.SuppressionReason"/>).
    /// </summary>
    public string? SuppressionReason(CustomerProfile? profile, string channel, DateTimeOffset now) =>
        WorkflowMessages.SuppressionReason(profile, channel, CanSend(channel), now);
}
