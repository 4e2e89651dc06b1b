using System.Runtime.CompilerServices;
using Recommender.Domain.Events;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Privacy;
using Recommender.Domain.Profiles;

namespace Recommender.Domain.Training;

/// <summary>
/// The archive as every trainer and the holdout evaluation read it: only events whose subject may be
/// profiled <em>now</em>, at training time — whatever held when the event was archived. Out go:
/// pseudonymized records; subjects with a standing erasure tombstone (and their linked anonymous ids);
/// customers who withdrew analytics consent, objected to profiling or may be under 16 since, or whose
/// profile is gone; anonymous visitors linked at login to such a customer, or who refused analytics on
/// their own. Anonymous visitors with no record of their own stay (archived under the anonymous id).
/// Catalog changes name no one and stay. One filter, at the one place the archive is read for training,
/// so no algorithm has to know about consent.
/// </summary>
public sealed class PermittedTrainingData(EventArchive archive, ProfileStore profiles, ErasureTombstones tombstones, TimeProvider timeProvider)
{
    /// <summary>Every archived event once (first copy wins) whose subject may be profiled now.</summary>
    public async IAsyncEnumerable<ClickstreamEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        var standing = await tombstones.CurrentAsync(cancellationToken).ConfigureAwait(false);
        var decided = new Dictionary<string, bool>(StringComparer.Ordinal);
        await foreach (var e in archive.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (e.IsPseudonymized)
            {
                continue;
            }

            if (e.SubjectId is not { } subject)
            {
                yield return e; // catalog changes
                continue;
            }

            if (!decided.TryGetValue(subject, out var permitted))
            {
                decided[subject] = permitted = await IsPermittedAsync(subject, now, cancellationToken).ConfigureAwait(false);
            }

            if (permitted && !standing.Matches(e))
            {
                yield return e;
            }
        }
    }

    /// <summary>Whether <paramref name="subjectId"/>'s behaviour may train a model now.</summary>
    public async Task<bool> IsPermittedAsync(string subjectId, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var profile = await profiles.GetAsync(subjectId, cancellationToken).ConfigureAwait(false);
        if (subjectId.StartsWith(ClickstreamEvent.AnonymousSubjectPrefix, StringComparison.Ordinal))
        {
            if (profile?.MergedInto is { } customerId)
            {
                return await profiles.GetAsync(customerId, cancellationToken).ConfigureAwait(false) is { } customer && customer.MayBeProfiled(now);
            }

            return profile?.ArchiveRefusal(now) is null;
        }

        return profile is not null && profile.MayBeProfiled(now);
    }
}
