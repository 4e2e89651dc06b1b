using Recommender.Domain.Ports;
using Recommender.Domain.Profiles;
using Recommender.Domain.Segments;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Domain.Workflows;

/// <summary>What a lifecycle message tells the provider's template of the customer's scores (<c>customerScores</c> in the payload).</summary>
/// <param name="Segments">The customer's segments in the latest segmentation run.</param>
/// <param name="PredictedNextPurchaseAt">Absent without a churn model.</param>
/// <param name="ComputedAt">When the run scored the customer.</param>
public sealed record CustomerScoresView(IReadOnlyList<string> Segments, DateTimeOffset? PredictedNextPurchaseAt, DateTimeOffset ComputedAt);

/// <summary>
/// The scores a lifecycle message may carry: only for a customer who may be personalized for now
/// (analytics consent, not possibly a minor, no objection, personalization not withdrawn — the rule that
/// already decides whether a message may use the customer's behaviour), and only once a segmentation
/// run scored them. Otherwise null, and the payload has no <c>customerScores</c>.
/// </summary>
public sealed class LifecycleScores(IDocumentStore documents, ProfileStore profiles, TimeProvider timeProvider)
{
    /// <param name="profile">The customer's profile when the caller holds it; read here otherwise.</param>
    public async Task<CustomerScoresView?> ForAsync(string customerId, CustomerProfile? profile = null, CancellationToken cancellationToken = default)
    {
        profile ??= await profiles.GetAsync(customerId, cancellationToken).ConfigureAwait(false);
        if (profile is null || !profile.PersonalizationAllowed(timeProvider.GetUtcNow()))
        {
            return null;
        }

        var scores = await documents.GetAsync<CustomerSegments>(Collections.Workflows, customerId, CustomerSegments.DocumentId, cancellationToken).ConfigureAwait(false);
        return scores is null ? null : new CustomerScoresView(scores.Segments, scores.PredictedNextPurchaseAt, scores.ComputedAt);
    }
}
