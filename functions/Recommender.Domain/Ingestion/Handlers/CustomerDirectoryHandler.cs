using Recommender.Domain.Profiles;

namespace Recommender.Domain.Ingestion.Handlers;

/// <summary>
/// The customer directory (the shards erasure, segmentation and campaigns walk): a new profile is
/// registered, and a replay registers again in case a crash came between the profile write and this.
/// </summary>
public sealed class CustomerDirectoryHandler(ProfileStore profiles) : ISubjectChangesHandler
{
    public async Task HandleAsync(SubjectChanges subject, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (subject.Changes.IsNewProfile || subject.Changes.Replayed.Count > 0)
        {
            await profiles.RegisterCustomerAsync(subject.SubjectId, cancellationToken).ConfigureAwait(false);
        }
    }
}
