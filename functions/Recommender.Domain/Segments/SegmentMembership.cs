using Recommender.Domain.Ports;
using Recommender.Domain.Profiles;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Domain.Segments;

/// <summary>
/// A customer's segments and scores as every other feature may use them (experiments, the bandit,
/// lifecycle messages, ad audiences, the members API): the customer's segment document, and only
/// while the customer may be profiled <em>now</em> — analytics consent, not possibly a minor, no
/// objection. A customer who withdrew consent or objected since the last run is treated as having no
/// segment at once, not from the next run on; an erased customer has no segment document.
/// </summary>
public sealed class SegmentMembership(IDocumentStore documents, ProfileStore profiles, TimeProvider timeProvider)
{
    /// <summary>The customer's scores when they may be used; null otherwise (unknown, not profiled, not scored, anonymous).</summary>
    /// <param name="profile">The customer's profile when the caller already read it (saves a read); read here otherwise.</param>
    public async Task<CustomerSegments?> GetAsync(string customerId, CustomerProfile? profile = null, CancellationToken cancellationToken = default)
    {
        if (customerId.StartsWith("anon:", StringComparison.Ordinal))
        {
            return null;
        }

        profile ??= await profiles.GetAsync(customerId, cancellationToken).ConfigureAwait(false);
        if (profile is null || !SegmentationWorkflow.MayProfile(profile, timeProvider.GetUtcNow()))
        {
            return null;
        }

        return await documents.GetAsync<CustomerSegments>(Collections.Workflows, customerId, CustomerSegments.DocumentId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The segments of a customer the caller has already found may be personalized for (which implies
    /// profiling: <see cref="CustomerProfile.PersonalizationAllowed"/>), e.g. serving with a cached list; one read.
    /// </summary>
    public async Task<IReadOnlyList<string>> SegmentsOfPersonalizableAsync(string customerId, CancellationToken cancellationToken = default) =>
        (await documents.GetAsync<CustomerSegments>(Collections.Workflows, customerId, CustomerSegments.DocumentId, cancellationToken).ConfigureAwait(false))?.Segments ?? [];

    /// <summary>The customer's segments when they may be used; empty otherwise.</summary>
    public async Task<IReadOnlyList<string>> SegmentsOfAsync(string customerId, CustomerProfile? profile = null, CancellationToken cancellationToken = default) =>
        (await GetAsync(customerId, profile, cancellationToken).ConfigureAwait(false))?.Segments ?? [];
}
