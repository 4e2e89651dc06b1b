namespace Recommender.Domain.Experiments;

/// <summary>A subject's arm in an experiment: stamp both on the list served (the event's <c>variant</c> is <see cref="Variant"/>).</summary>
public sealed record ExperimentAssignment(string ExperimentId, string Placement, string Variant);

/// <summary>
/// Deterministic assignment of subjects to variants. The subject is the event pipeline's key: the
/// customer id, or <c>anon:&lt;anonymousId&gt;</c> for a visitor (<see cref="Events.ClickstreamEvent.SubjectId"/>).
/// The variant is a function of <c>StableHash.Fnv1a(experimentId + ":" + subjectId)</c> (with a
/// bit mixer) mapped onto the cumulative weights: the same subject always gets the same variant, in
/// every process, and only while the experiment runs. A targeted experiment (<see cref="ExperimentDefinition.Segments"/>)
/// assigns only subjects in one of its segments; the others get no variant (the default list) and are not counted.
/// </summary>
public sealed class ExperimentAssigner(ExperimentStore store, Segments.SegmentMembership membership)
{
    /// <summary>The experiments running on <paramref name="placement"/> at <paramref name="now"/> (definitions cached for <see cref="ExperimentStore.DefinitionsCacheDuration"/>).</summary>
    public async Task<IReadOnlyList<ExperimentDefinition>> GetActiveForPlacementAsync(string placement, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        [.. GetActiveForPlacement(await store.GetDefinitionsAsync(cancellationToken).ConfigureAwait(false), placement, now)];

    /// <summary>
    /// The subject's variant in the experiment running on <paramref name="placement"/> at
    /// <paramref name="now"/>; <c>null</c> when none runs. Overlapping experiments on one placement
    /// are refused when defined, so there is at most one (else the earliest started wins).
    /// </summary>
    public Task<ExperimentAssignment?> AssignAsync(string placement, string subjectId, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        AssignAsync(placement, subjectId, now, ct => membership.SegmentsOfAsync(subjectId, cancellationToken: ct), cancellationToken);

    /// <summary>
    /// As <see cref="AssignAsync(string, string, DateTimeOffset, CancellationToken)"/>, with the subject's usable segments
    /// from <paramref name="segmentsOf"/> (called only when the running experiment is targeted).
    /// </summary>
    public async Task<ExperimentAssignment?> AssignAsync(string placement, string subjectId, DateTimeOffset now,
        Func<CancellationToken, Task<IReadOnlyList<string>>> segmentsOf, CancellationToken cancellationToken = default)
    {
        var experiment = (await GetActiveForPlacementAsync(placement, now, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
        if (experiment is null || (experiment.IsTargeted && !experiment.Targets(await segmentsOf(cancellationToken).ConfigureAwait(false))))
        {
            return null;
        }

        return new ExperimentAssignment(experiment.Id, experiment.Placement, VariantOf(experiment, subjectId));
    }

    /// <summary>Experiments of <paramref name="all"/> running on the placement at <paramref name="now"/>, earliest started first.</summary>
    public static IEnumerable<ExperimentDefinition> GetActiveForPlacement(IEnumerable<ExperimentDefinition> all, string placement, DateTimeOffset now) =>
        all.Where(e => string.Equals(e.Placement, placement, StringComparison.Ordinal) && e.IsActiveAt(now))
            .OrderBy(e => e.StartsAt).ThenBy(e => e.Id, StringComparer.Ordinal);

    /// <summary>The subject's variant, or <c>null</c> outside the experiment's window.</summary>
    public static string? Assign(ExperimentDefinition experiment, string subjectId, DateTimeOffset now) =>
        experiment.IsActiveAt(now) ? VariantOf(experiment, subjectId) : null;

    /// <summary>The subject's variant regardless of time: the one whose cumulative-weight slot holds the subject's hash.</summary>
    public static string VariantOf(ExperimentDefinition experiment, string subjectId)
    {
        var unit = Mix(StableHash.Fnv1a(experiment.Id + ":" + subjectId)) / 4294967296.0; // [0, 1)
        var point = unit * experiment.Variants.Sum(v => v.Weight);
        var cumulative = 0.0;
        foreach (var variant in experiment.Variants)
        {
            cumulative += variant.Weight;
            if (point < cumulative)
            {
                return variant.Name;
            }
        }

        return experiment.Variants[^1].Name; // rounding at the very top
    }

    /// <summary>MurmurHash3's finalizer: FNV-1a's high bits vary little with the last characters, which this spreads.</summary>
    private static uint Mix(uint h)
    {
        h ^= h >> 16;
        h *= 0x85ebca6b;
        h ^= h >> 13;
        h *= 0xc2b2ae35;
        h ^= h >> 16;
        return h;
    }
}
