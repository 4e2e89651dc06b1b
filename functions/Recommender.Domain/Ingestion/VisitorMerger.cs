using Recommender.Domain.Events;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;

namespace Recommender.Domain.Ingestion;

/// <summary>
/// Login: the anonymous visitor's profile joins the customer's (once: the customer records the
/// merge in the same write), then the visitor's record becomes a pointer to the customer so
/// later anonymous events follow. Event ids merge too, so nothing is counted twice. Part of the
/// profile write (<see cref="IngestionService"/> merges before it applies the customer's events).
/// </summary>
public sealed class VisitorMerger(ProfileStore profiles, RecommendationService recommendations)
{
    public async Task MergeAsync(string customerId, string anonymousId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var visitorId = ClickstreamEvent.AnonymousSubjectPrefix + anonymousId;
        var visitor = await profiles.GetAsync(visitorId, cancellationToken).ConfigureAwait(false);
        if (visitor is null)
        {
            // A visitor with no profile still gets the pointer (a login record): their later cookie-only
            // events are then decided by the customer's consent, never archived under the anonymous id alone.
            await profiles.UpdateAsync(visitorId, v => v is not null ? null : new CustomerProfile
            {
                CustomerId = visitorId,
                CreatedAt = now,
                UpdatedAt = now,
                MergedInto = customerId,
            }, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (visitor.MergedInto is not null)
        {
            return;
        }

        var created = false;
        await profiles.UpdateAsync(customerId, current =>
        {
            created = current is null;
            current ??= new CustomerProfile { CustomerId = customerId, CreatedAt = now, UpdatedAt = now };
            if (current.MergedVisitors.Contains(anonymousId))
            {
                return null;
            }

            ProfileMerger.MergeInto(current, visitor, now);
            return current;
        }, cancellationToken).ConfigureAwait(false);
        if (created)
        {
            await profiles.RegisterCustomerAsync(customerId, cancellationToken).ConfigureAwait(false);
        }

        await profiles.UpdateAsync(visitorId, v => v is null ? null : new CustomerProfile
        {
            CustomerId = visitorId,
            CreatedAt = v.CreatedAt,
            UpdatedAt = now,
            MergedInto = customerId,
            ProcessedEventIds = v.ProcessedEventIds,
        }, cancellationToken).ConfigureAwait(false);
        await recommendations.DeleteCacheAsync(visitorId, cancellationToken).ConfigureAwait(false);
        await profiles.UnregisterCustomerAsync(visitorId, cancellationToken).ConfigureAwait(false);
    }
}
