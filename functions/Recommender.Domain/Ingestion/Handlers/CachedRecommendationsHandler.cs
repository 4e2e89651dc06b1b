using Recommender.Domain.Recommendations;

namespace Recommender.Domain.Ingestion.Handlers;

/// <summary>
/// The subject's cached recommendations (<see cref="RecommendationService"/>): removed when the behaviour is
/// cleared or personalization is no longer allowed, refreshed after a material change, a change of stated
/// preferences or a login.
/// </summary>
public sealed class CachedRecommendationsHandler(RecommendationService recommendations) : ISubjectChangesHandler
{
    public async Task HandleAsync(SubjectChanges subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var changes = subject.Changes;
        if (changes.BehaviourCleared || (changes.ConsentChanged && !subject.Profile.PersonalizationAllowed(subject.Now)))
        {
            await recommendations.DeleteCacheAsync(subject.SubjectId, cancellationToken).ConfigureAwait(false);
        }
        else if (changes.Material || changes.PreferencesChanged || changes.Identified.Count > 0)
        {
            await recommendations.RefreshCacheAsync(subject.Profile, cancellationToken).ConfigureAwait(false);
        }
    }
}
