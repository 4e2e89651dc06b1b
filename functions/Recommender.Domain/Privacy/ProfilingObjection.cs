using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Workflows;

namespace Recommender.Domain.Privacy;

/// <summary>
/// The right to object to profiling (and its withdrawal): recorded on the profile, effective at once —
/// the cached personalized list is dropped, so every placement falls back to non-personalized lists,
/// and the customer's product watches (the views and wishlist behind price-drop and back-in-stock
/// alerts) are deleted, as when analytics consent is withdrawn (<see cref="ProductWatchers.ForgetAsync"/>).
/// While the objection stands no new watch is recorded (ingestion records watches only for customers
/// who may be personalized for); withdrawing it does not bring the deleted ones back.
/// </summary>
public sealed class ProfilingObjection(ProfileStore profiles, RecommendationService recommendations, ProductWatchers watchers, TimeProvider timeProvider)
{
    /// <summary>Records the objection (or its withdrawal); false when the customer is unknown.</summary>
    public async Task<bool> SetAsync(string customerId, bool objects, CancellationToken cancellationToken = default)
    {
        var profile = await profiles.UpdateAsync(customerId, p =>
        {
            if (p is null || p.ObjectedToProfiling == objects)
            {
                return null;
            }

            p.ObjectedToProfiling = objects;
            if (objects)
            {
                p.PurchasePropensity = null; // a derived score: an objection stops its use at once, the next run derives none
            }

            p.UpdatedAt = timeProvider.GetUtcNow();
            return p;
        }, cancellationToken).ConfigureAwait(false);
        if (profile is null)
        {
            return false;
        }

        if (objects)
        {
            await recommendations.DeleteCacheAsync(customerId, cancellationToken).ConfigureAwait(false);
            await watchers.ForgetAsync([customerId], cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await recommendations.RefreshCacheAsync(profile, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }
}
