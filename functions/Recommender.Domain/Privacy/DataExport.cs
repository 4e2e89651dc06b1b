using Recommender.Domain.Events;
using Recommender.Domain.Experiments;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Ports;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Domain.Privacy;

/// <summary>An experiment the customer took part in.</summary>
public sealed record ExperimentParticipation(string ExperimentId, string Variant, DateTimeOffset ExposedAt, bool Converted, int Orders, double Revenue);

/// <summary>
/// Everything held about one customer, as one machine-readable document (right of access): the
/// profile with its features and consent history, every archived event of the customer and of the
/// anonymous visitor ids linked to them (recommendations shown and clicked included), the cached
/// recommendations, workflow state and history, experiment participation, the products the customer
/// watches for catalog alerts (why, since when, at which price), and the dead letters (refused input,
/// undeliverable messages) that name them.
/// </summary>
public sealed record CustomerDataExport(
    string CustomerId,
    DateTimeOffset ExportedAt,
    IReadOnlyList<string> Subjects,
    CustomerProfile? Profile,
    IReadOnlyList<ClickstreamEvent> Events,
    CachedRecommendations? CachedRecommendations,
    IReadOnlyList<object> Workflows,
    IReadOnlyList<ExperimentParticipation> Experiments,
    IReadOnlyList<Workflows.WatchedProduct> Watching,
    IReadOnlyList<DeadLetter> DeadLetters);

/// <summary>Builds <see cref="CustomerDataExport"/> from every store (the archive is scanned: an access request is rare).</summary>
public sealed class DataExport(IDocumentStore documents, ProfileStore profiles, EventArchive archive,
    ExperimentStore experiments, DeadLetters deadLetters, TimeProvider timeProvider, Workflows.ProductWatchers watchers)
{
    public async Task<CustomerDataExport?> ExportAsync(string customerId, CancellationToken cancellationToken = default)
    {
        var profile = await profiles.GetAsync(customerId, cancellationToken).ConfigureAwait(false);
        List<string> subjects = [customerId, .. (profile?.AnonymousIds ?? []).Select(id => ClickstreamEvent.AnonymousSubjectPrefix + id)];
        var events = new List<ClickstreamEvent>();
        await foreach (var e in archive.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (e.SubjectId is { } subject && subjects.Contains(subject))
            {
                events.Add(e);
            }
        }

        if (profile is null && events.Count == 0)
        {
            return null;
        }

        var cached = await documents.GetAsync<CachedRecommendations>(Collections.Recommendations, customerId, customerId, cancellationToken).ConfigureAwait(false);
        var workflows = new List<object>();
        await foreach (var doc in documents.ReadPartitionAsync(Collections.Workflows, customerId, cancellationToken).ConfigureAwait(false))
        {
            workflows.Add(new { id = doc.Id, state = doc.Body });
        }

        var participation = (await experiments.ExposuresOfAsync(subjects, cancellationToken).ConfigureAwait(false))
            .Select(x => new ExperimentParticipation(x.ExperimentId, x.Exposure.Variant, x.Exposure.ExposedAt, x.Exposure.Converted, x.Exposure.Orders, x.Exposure.Revenue))
            .ToList();
        var watching = await watchers.ListAsync(customerId, cancellationToken).ConfigureAwait(false);
        var letters = await deadLetters.MentioningAsync([customerId, .. profile?.AnonymousIds ?? []], cancellationToken).ConfigureAwait(false);
        return new CustomerDataExport(customerId, timeProvider.GetUtcNow(), subjects, profile, events.OrderBy(e => e.OccurredAt).ToList(), cached, workflows, participation, watching, letters);
    }
}
