using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Domain.Experiments;

/// <summary>One variant's counters, incremented atomically as outcomes arrive (also the delta of one batch).</summary>
public sealed record VariantCounters
{
    public required string Variant { get; init; }
    /// <summary>Distinct subjects exposed (first impression).</summary>
    public long Users { get; init; }
    public long Impressions { get; init; }
    public long Clicks { get; init; }
    /// <summary>Exposed subjects who bought after their exposure (once each).</summary>
    public long Conversions { get; init; }
    /// <summary>Purchases of exposed subjects after their exposure.</summary>
    public long Orders { get; init; }
    /// <summary>Sum of those purchases' totals.</summary>
    public double Revenue { get; init; }
}

/// <summary>
/// One exposed subject of an experiment, keyed by a hash of the subject (never the raw id): the
/// variant of their first impression, when, and what they bought afterwards.
/// </summary>
public sealed record ExperimentExposure
{
    public required string Variant { get; init; }
    public required DateTimeOffset ExposedAt { get; init; }
    /// <summary>The subject's segments when first exposed (empty for visitors and customers who may not be profiled): the report's breakdown.</summary>
    public IReadOnlyList<string> Segments { get; init; } = [];
    public bool Converted { get; init; }
    public int Orders { get; init; }
    public double Revenue { get; init; }
}

/// <summary>
/// Experiments in the <see cref="Collections.Items"/> collection: definitions in partition
/// <c>_experiments</c> (id = experiment id), per-variant counters in <c>_experiment-{id}</c> (id =
/// variant name) and exposed subjects in <c>_experiment-{id}-users</c> (id = <see cref="SubjectKey"/>).
/// </summary>
public sealed class ExperimentStore(IDocumentStore documents, TimeProvider timeProvider)
{
    public const string DefinitionsPartition = "_experiments";
    /// <summary>How long this process reuses the definitions it read (ingestion and serving read them per batch / request).</summary>
    public static readonly TimeSpan DefinitionsCacheDuration = TimeSpan.FromSeconds(30);

    private sealed record CachedDefinitions(DateTimeOffset LoadedAt, IReadOnlyList<ExperimentDefinition> All);

    private volatile CachedDefinitions? _cache;

    public static string CountersPartition(string experimentId) => $"_experiment-{experimentId}";

    public static string UsersPartition(string experimentId) => $"_experiment-{experimentId}-users";

    /// <summary>
    /// The document id of a subject in an experiment: the first 128 bits of SHA-256 of
    /// <c>experimentId:subjectId</c>, in hex. Not the raw id, not joinable across experiments, and wide
    /// enough not to merge two subjects (a 32-bit hash would collide within tens of thousands).
    /// </summary>
    public static string SubjectKey(string experimentId, string subjectId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(experimentId + ":" + subjectId)))[..32];

    public Task<ExperimentDefinition?> GetAsync(string experimentId, CancellationToken cancellationToken = default) =>
        documents.GetAsync<ExperimentDefinition>(Collections.Items, DefinitionsPartition, experimentId, cancellationToken);

    /// <summary>Creates or replaces a definition; this process sees it at once, others within <see cref="DefinitionsCacheDuration"/>.</summary>
    public async Task SaveAsync(ExperimentDefinition definition, CancellationToken cancellationToken = default)
    {
        await documents.PutAsync(Collections.Items, DefinitionsPartition, definition.Id, definition, cancellationToken).ConfigureAwait(false);
        _cache = null;
    }

    /// <summary>Every definition, read now (one single-partition read).</summary>
    public async Task<IReadOnlyList<ExperimentDefinition>> ListAsync(CancellationToken cancellationToken = default)
    {
        var all = new List<ExperimentDefinition>();
        await foreach (var document in documents.ReadPartitionAsync(Collections.Items, DefinitionsPartition, cancellationToken).ConfigureAwait(false))
        {
            all.Add(Json.FromElement<ExperimentDefinition>(document.Body));
        }

        return all;
    }

    /// <summary>Every definition, as read at most <see cref="DefinitionsCacheDuration"/> ago.</summary>
    public async Task<IReadOnlyList<ExperimentDefinition>> GetDefinitionsAsync(CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        if (_cache is { } cache && now - cache.LoadedAt < DefinitionsCacheDuration && now >= cache.LoadedAt)
        {
            return cache.All;
        }

        var all = await ListAsync(cancellationToken).ConfigureAwait(false);
        _cache = new CachedDefinitions(now, all);
        return all;
    }

    /// <summary>Another experiment on the same placement whose window overlaps this one's, if any.</summary>
    public async Task<ExperimentDefinition?> FindOverlappingAsync(ExperimentDefinition definition, CancellationToken cancellationToken = default) =>
        (await ListAsync(cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(other => !string.Equals(other.Id, definition.Id, StringComparison.Ordinal) && other.Overlaps(definition));

    /// <summary>
    /// Adds a variant's delta by atomic increment; the first time the variant is counted the delta
    /// becomes the document.
    /// </summary>
    public async Task IncrementAsync(string experimentId, VariantCounters delta, CancellationToken cancellationToken = default)
    {
        var increments = new Dictionary<string, double>(StringComparer.Ordinal);
        AddIfNotZero(increments, "users", delta.Users);
        AddIfNotZero(increments, "impressions", delta.Impressions);
        AddIfNotZero(increments, "clicks", delta.Clicks);
        AddIfNotZero(increments, "conversions", delta.Conversions);
        AddIfNotZero(increments, "orders", delta.Orders);
        AddIfNotZero(increments, "revenue", delta.Revenue);
        await documents.IncrementOrCreateAsync(Collections.Items, CountersPartition(experimentId), delta.Variant, increments, () => delta, cancellationToken).ConfigureAwait(false);

        static void AddIfNotZero(Dictionary<string, double> into, string path, double value)
        {
            if (value != 0)
            {
                into[path] = value;
            }
        }
    }

    /// <summary>The counters of every variant counted so far, by variant name.</summary>
    public async Task<IReadOnlyDictionary<string, VariantCounters>> GetCountersAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        var counters = new Dictionary<string, VariantCounters>(StringComparer.Ordinal);
        await foreach (var document in documents.ReadPartitionAsync(Collections.Items, CountersPartition(experimentId), cancellationToken).ConfigureAwait(false))
        {
            if (document.Id == ExpiredExposures.Id)
            {
                continue;
            }

            var c = Json.FromElement<VariantCounters>(document.Body);
            counters[c.Variant] = c;
        }

        return counters;
    }

    /// <summary>Records a subject's first exposure; <c>false</c> when they were exposed before (already counted).</summary>
    public async Task<bool> TryExposeAsync(string experimentId, string subjectKey, ExperimentExposure exposure, CancellationToken cancellationToken = default)
    {
        try
        {
            await documents.CreateAsync(Collections.Items, UsersPartition(experimentId), subjectKey, Json.ToElement(exposure), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DocumentConflictException)
        {
            return false;
        }
    }

    /// <summary>Read-modify-write of an exposure with ETag concurrency (see <see cref="DocumentStoreExtensions.UpdateAsync{T}"/>).</summary>
    public Task<ExperimentExposure?> UpdateExposureAsync(string experimentId, string subjectKey, Func<ExperimentExposure?, ExperimentExposure?> mutate, CancellationToken cancellationToken = default) =>
        documents.UpdateAsync(Collections.Items, UsersPartition(experimentId), subjectKey, mutate, cancellationToken);

    /// <summary>
    /// Retention: deletes the exposure documents (and with them the subject keys) of every experiment
    /// that ended more than <paramref name="keepAfterEnd"/> before <paramref name="now"/>, after folding
    /// their per-variant revenue moments into one aggregate document, so the report keeps its figures.
    /// Returns how many exposures were deleted.
    /// </summary>
    public async Task<int> ExpireExposuresAsync(DateTimeOffset now, TimeSpan keepAfterEnd, CancellationToken cancellationToken = default)
    {
        var deleted = 0;
        foreach (var definition in await ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!ExposuresExpired(definition, now, keepAfterEnd))
            {
                continue;
            }

            var moments = new Dictionary<string, RevenueMoments>(StringComparer.Ordinal);
            var ids = new List<string>();
            await foreach (var document in documents.ReadPartitionAsync(Collections.Items, UsersPartition(definition.Id), cancellationToken).ConfigureAwait(false))
            {
                var exposure = Json.FromElement<ExperimentExposure>(document.Body);
                moments[exposure.Variant] = moments.GetValueOrDefault(exposure.Variant).Add(exposure.Revenue);
                ids.Add(document.Id);
            }

            if (ids.Count == 0)
            {
                continue;
            }

            // Fold first, then delete: once the aggregate is written the report reads it instead of the
            // exposures, and a sweep cut short only has exposures left to delete (never to fold again).
            var aggregate = await documents.GetAsync<ExpiredExposures>(Collections.Items, CountersPartition(definition.Id), ExpiredExposures.Id, cancellationToken).ConfigureAwait(false);
            if (aggregate is null)
            {
                await documents.PutAsync(Collections.Items, CountersPartition(definition.Id), ExpiredExposures.Id, new ExpiredExposures { Moments = moments, Exposures = ids.Count }, cancellationToken).ConfigureAwait(false);
            }

            foreach (var id in ids)
            {
                deleted += await documents.DeleteAsync(Collections.Items, UsersPartition(definition.Id), id, cancellationToken).ConfigureAwait(false) ? 1 : 0;
            }
        }

        return deleted;
    }

    /// <summary>Whether the experiment's exposures are past their retention (no new exposure is recorded then either).</summary>
    public static bool ExposuresExpired(ExperimentDefinition definition, DateTimeOffset now, TimeSpan keepAfterEnd) => now >= definition.EndsAt + keepAfterEnd;

    /// <summary>Every exposed subject of the experiment: one document each (the report's cost grows with the users).</summary>
    /// <summary>Access requests: every experiment the subjects were exposed in, with the exposure record.</summary>
    public async Task<IReadOnlyList<(string ExperimentId, ExperimentExposure Exposure)>> ExposuresOfAsync(IReadOnlyList<string> subjectIds, CancellationToken cancellationToken = default)
    {
        var found = new List<(string, ExperimentExposure)>();
        foreach (var definition in await ListAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var subject in subjectIds)
            {
                if (await documents.GetAsync<ExperimentExposure>(Collections.Items, UsersPartition(definition.Id), SubjectKey(definition.Id, subject), cancellationToken).ConfigureAwait(false) is { } exposure)
                {
                    found.Add((definition.Id, exposure));
                }
            }
        }

        return found;
    }

    /// <summary>Erasure: deletes the subjects' exposure records from every experiment; returns how many existed.</summary>
    public async Task<int> EraseSubjectsAsync(IReadOnlyList<string> subjectIds, CancellationToken cancellationToken = default)
    {
        var removed = 0;
        foreach (var definition in await ListAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var subject in subjectIds)
            {
                removed += await documents.DeleteAsync(Collections.Items, UsersPartition(definition.Id), SubjectKey(definition.Id, subject), cancellationToken).ConfigureAwait(false) ? 1 : 0;
            }
        }

        return removed;
    }

    public async IAsyncEnumerable<ExperimentExposure> ExposuresAsync(string experimentId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var document in documents.ReadPartitionAsync(Collections.Items, UsersPartition(experimentId), cancellationToken).ConfigureAwait(false))
        {
            yield return Json.FromElement<ExperimentExposure>(document.Body);
        }
    }

    /// <summary>
    /// The report of an experiment, or <c>null</c> when there is none. Reads the definition, the
    /// counters partition (one document per variant) and the exposed-users partition (one document
    /// per exposed subject, for the variance of revenue per user): the cost grows linearly with the
    /// exposed users — about 1 KB and a fraction of a request unit each in Cosmos DB.
    /// </summary>
    public async Task<ExperimentReport?> GetReportAsync(string experimentId, CancellationToken cancellationToken = default)
    {
        if (await GetAsync(experimentId, cancellationToken).ConfigureAwait(false) is not { } definition)
        {
            return null;
        }

        var counters = await GetCountersAsync(experimentId, cancellationToken).ConfigureAwait(false);
        var expired = await documents.GetAsync<ExpiredExposures>(Collections.Items, CountersPartition(experimentId), ExpiredExposures.Id, cancellationToken).ConfigureAwait(false);
        var revenue = new Dictionary<string, RevenueMoments>(expired?.Moments ?? new Dictionary<string, RevenueMoments>(), StringComparer.Ordinal);
        var bySegment = new SegmentBreakdown();
        if (expired is null)
        {
            await foreach (var exposure in ExposuresAsync(experimentId, cancellationToken).ConfigureAwait(false))
            {
                revenue[exposure.Variant] = revenue.GetValueOrDefault(exposure.Variant).Add(exposure.Revenue);
                bySegment.Add(exposure);
            }
        }

        var now = timeProvider.GetUtcNow();
        return ExperimentReport.Create(definition, counters, revenue, now) with { Segments = bySegment.Reports(definition, now) };
    }
}

/// <summary>
/// The per-variant revenue moments of an experiment's exposures, folded by retention before it deletes
/// them (id <see cref="Id"/> in the counters partition: not a variant name, which cannot contain '~').
/// Once it exists the report reads it instead of the exposures.
/// </summary>
public sealed record ExpiredExposures
{
    public const string Id = "~expired-exposures";
    public IReadOnlyDictionary<string, RevenueMoments> Moments { get; init; } = new Dictionary<string, RevenueMoments>();
    public int Exposures { get; init; }
}

/// <summary>Count, sum and sum of squares of per-user revenue.</summary>
public readonly record struct RevenueMoments(long Users, double Sum, double SumOfSquares)
{
    public RevenueMoments Add(double revenue) => new(Users + 1, Sum + revenue, SumOfSquares + (revenue * revenue));
}

/// <summary>
/// Users, conversions, orders and revenue per segment and variant, from the exposure records (the
/// segments a subject was in when first exposed; <see cref="None"/> for those in none). A subject in
/// several segments counts in each. Impressions and clicks are counted per variant only.
/// </summary>
internal sealed class SegmentBreakdown
{
    public const string None = "none";

    private readonly SortedDictionary<string, (Dictionary<string, VariantCounters> Counters, Dictionary<string, RevenueMoments> Revenue)> _segments = new(StringComparer.Ordinal);

    public void Add(ExperimentExposure exposure)
    {
        IEnumerable<string> segments = exposure.Segments.Count == 0 ? [None] : exposure.Segments.Distinct(StringComparer.Ordinal);
        foreach (var segment in segments)
        {
            if (!_segments.TryGetValue(segment, out var s))
            {
                _segments[segment] = s = (new(StringComparer.Ordinal), new(StringComparer.Ordinal));
            }

            var c = s.Counters.GetValueOrDefault(exposure.Variant) ?? new VariantCounters { Variant = exposure.Variant };
            s.Counters[exposure.Variant] = c with
            {
                Users = c.Users + 1,
                Conversions = c.Conversions + (exposure.Converted ? 1 : 0),
                Orders = c.Orders + exposure.Orders,
                Revenue = c.Revenue + exposure.Revenue,
            };
            s.Revenue[exposure.Variant] = s.Revenue.GetValueOrDefault(exposure.Variant).Add(exposure.Revenue);
        }
    }

    public IReadOnlyList<SegmentReport> Reports(ExperimentDefinition definition, DateTimeOffset now) =>
        [.. _segments.Select(s =>
        {
            var report = ExperimentReport.Create(definition, s.Value.Counters, s.Value.Revenue, now);
            return new SegmentReport(s.Key, report.Variants.Sum(v => v.Users), report.Variants);
        })];
}
