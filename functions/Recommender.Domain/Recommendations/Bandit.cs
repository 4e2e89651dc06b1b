using System.Globalization;
using Microsoft.Extensions.Options;
using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Domain.Recommendations;

/// <summary>The strategy chosen for one request and whether the request was in the exploration share.</summary>
public readonly record struct BanditChoice(string Strategy, bool Explored);

/// <summary>
/// A contextual bandit over placement × context (<see cref="BanditContext"/>: lifecycle segment, and what the profile
/// says — tenure, activity, price band) choosing among candidate strategies (<c>personalized</c>, <c>trending</c>,
/// <c>popular</c>) for every home and email request: on <see cref="BanditOptions.ExplorationShare"/> of them it explores
/// (Thompson sampling; only once the placement has feedback recorded), on all the others it serves the arm with the
/// best estimated reward rate (<see cref="BanditEstimates"/>; with no evidence, the default strategy). Rewards are clicks and the revenue of
/// purchase lines attributed to the list (<see cref="BanditOptions"/>). It learns from <c>recommendation_impression</c>,
/// <c>recommendation_click</c> and purchase lines that carry a recommendation id, whose id names the arm the list was
/// served from (<see cref="RecommendationIdOf"/>); ingestion hands it each event once (aggregate claims). Arm totals are
/// anonymous aggregates (collection <c>items</c>, partition <c>_bandit</c>, read through a 30-second cache), with one
/// row per arm and day in partition <c>_bandit-yyyy-MM-dd</c> for the report's daily series.
/// </summary>
public sealed class BanditPolicy(IDocumentStore documents, IOptions<BanditOptions> options, TimeProvider timeProvider, Random? random = null)
{
    public const string PartitionKey = "_bandit";
    public const string DayPartitionPrefix = "_bandit-";
    public static readonly IReadOnlyList<string> Strategies = ["personalized", "trending", "popular"];
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    private readonly Random _random = random ?? Random.Shared;

    /// <summary>The arms as last read and the estimates built from them (replaced whole; read without a lock on every request).</summary>
    private sealed record Loaded(DateTimeOffset At, Dictionary<string, BanditArm> Arms, BanditEstimates Estimates);

    private volatile Loaded? _cache;

    public BanditOptions Options => options.Value;

    public double ExplorationShare => Math.Clamp(options.Value.ExplorationShare, 0, 1);

    /// <summary>Lifecycle segments a customer's bandit context may be, most specific first (a customer in several takes the first).</summary>
    public static readonly IReadOnlyList<string> SegmentContexts = [Segments.SegmentNames.Vip, Segments.SegmentNames.AtRisk, Segments.SegmentNames.Dormant,
        Segments.SegmentNames.New, Segments.SegmentNames.Active];

    /// <summary>
    /// The segment of a customer who may be personalized for: the first of <see cref="SegmentContexts"/> among their
    /// segments, else <c>known</c> (not scored yet, or in no lifecycle segment). Visitors and the others are <c>anonymous</c>.
    /// </summary>
    public static string ContextOf(IReadOnlyCollection<string> segments) =>
        SegmentContexts.FirstOrDefault(s => segments.Contains(s, StringComparer.Ordinal)) ?? BanditContext.Known;

    public static string ArmId(string placement, string context, string strategy) => $"{placement}.{context}.{strategy}";

    /// <summary><c>rec-{placement}.{context}.{strategy}-{guid}</c>: attribution needs nothing but the id the storefront echoes back.</summary>
    public static string RecommendationIdOf(string placement, string context, string strategy, Guid id) => $"rec-{ArmId(placement, context, strategy)}-{id:N}";

    /// <summary>The arm a recommendation id was served from, or null for ids of another shape.</summary>
    public static string? ArmOf(string? recommendationId)
    {
        if (recommendationId is null || !recommendationId.StartsWith("rec-", StringComparison.Ordinal))
        {
            return null;
        }

        var dash = recommendationId.LastIndexOf('-');
        var arm = dash > 4 ? recommendationId[4..dash] : null;
        return arm is not null && Parts(arm) is not null ? arm : null;
    }

    /// <summary>An arm id's placement, context key and strategy; null when it is not one.</summary>
    public static (string Placement, string Context, string Strategy)? Parts(string armId)
    {
        var first = armId.IndexOf('.', StringComparison.Ordinal);
        var last = armId.LastIndexOf('.');
        if (first <= 0 || last <= first + 1 || armId.IndexOf('.', first + 1) != last)
        {
            return null;
        }

        var strategy = armId[(last + 1)..];
        return Strategies.Contains(strategy) ? (armId[..first], armId[(first + 1)..last], strategy) : null;
    }

    /// <summary>
    /// The strategy for one request: explored (Thompson sampling) on the exploration share, otherwise the arm with the best
    /// estimated reward rate in the context — <paramref name="fallback"/> until the evidence says another is better.
    /// </summary>
    public async Task<BanditChoice> ChooseAsync(string placement, BanditContext context, IReadOnlyList<string> available, string fallback, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(available);
        if (available.Count <= 1)
        {
            return new BanditChoice(fallback, false);
        }

        var estimates = (await LoadAsync(cancellationToken).ConfigureAwait(false)).Estimates;
        return Decide(estimates, ExplorationShare, _random, placement, context, available, fallback);
    }

    /// <summary>
    /// One decision (pure, for a given random source): with probability <paramref name="explorationShare"/> a Thompson
    /// draw, otherwise the best posterior mean. <see cref="ChooseAsync"/> and the regret simulation both decide here.
    /// A placement explores only once some feedback was recorded for it (<see cref="BanditEstimates.HasFeedback"/>):
    /// until the storefront sends impressions, clicks or attributed purchases, what an exploration shows can never be
    /// learnt from, and its customers would only be served a list the store has no evidence for.
    /// </summary>
    public static BanditChoice Decide(BanditEstimates estimates, double explorationShare, Random random, string placement, BanditContext context,
        IReadOnlyList<string> available, string fallback)
    {
        ArgumentNullException.ThrowIfNull(estimates);
        ArgumentNullException.ThrowIfNull(random);
        return random.NextDouble() < explorationShare && estimates.HasFeedback(placement)
            ? new BanditChoice(estimates.Sample(placement, context, available, fallback, random), true)
            : new BanditChoice(estimates.Best(placement, context, available, fallback), false);
    }

    /// <summary>
    /// Counts impressions, clicks and attributed purchase lines (with their revenue) per arm, in its totals and on the
    /// event's day (from the event pipeline, each event once).
    /// </summary>
    public async Task RecordAsync(IEnumerable<BanditEvent> feedback, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        var totals = new Dictionary<string, BanditArm>(StringComparer.Ordinal);
        var days = new Dictionary<(string Day, string Arm), BanditArm>();
        foreach (var (recommendationId, kind, at, revenue) in feedback)
        {
            if (ArmOf(recommendationId) is not { } arm)
            {
                continue;
            }

            var strategy = arm[(arm.LastIndexOf('.') + 1)..];
            var day = DayOf(at);
            var reward = kind == BanditFeedback.Purchase ? options.Value.RevenueReward(revenue) : 0;
            (totals.TryGetValue(arm, out var total) ? total : totals[arm] = new BanditArm { Strategy = strategy }).Add(kind, revenue, reward);
            (days.TryGetValue((day, arm), out var daily) ? daily : days[(day, arm)] = new BanditArm { Strategy = strategy, Day = day }).Add(kind, revenue, reward);
        }

        foreach (var (arm, delta) in totals)
        {
            await documents.IncrementOrCreateAsync(Collections.Items, PartitionKey, arm, delta.Increments(), () => delta, cancellationToken).ConfigureAwait(false);
        }

        foreach (var ((day, arm), delta) in days)
        {
            await documents.IncrementOrCreateAsync(Collections.Items, DayPartitionPrefix + day, arm, delta.Increments(), () => delta, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Every arm's totals (the operator's view), fresh from the store.</summary>
    public async Task<IReadOnlyDictionary<string, BanditArm>> ReportAsync(CancellationToken cancellationToken = default)
    {
        _cache = null;
        return (await LoadAsync(cancellationToken).ConfigureAwait(false)).Arms;
    }

    /// <summary>
    /// Per placement the bandit serves (home, email): whether it explores — <see cref="Decide"/>'s rule: a share above 0
    /// and feedback recorded for the placement. Read through the same cache as <see cref="ChooseAsync"/>.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, bool>> ExploringAsync(CancellationToken cancellationToken = default)
    {
        var estimates = (await LoadAsync(cancellationToken).ConfigureAwait(false)).Estimates;
        return new[] { Placement.Home, Placement.Email }.Select(Placements.NameOf)
            .ToDictionary(p => p, p => ExplorationShare > 0 && estimates.HasFeedback(p), StringComparer.Ordinal);
    }

    /// <summary>Every arm's row on one day (<c>yyyy-MM-dd</c>): one single-partition read.</summary>
    public async Task<IReadOnlyDictionary<string, BanditArm>> DayAsync(string day, CancellationToken cancellationToken = default)
    {
        var arms = new Dictionary<string, BanditArm>(StringComparer.Ordinal);
        await foreach (var doc in documents.ReadPartitionAsync(Collections.Items, DayPartitionPrefix + day, cancellationToken).ConfigureAwait(false))
        {
            arms[doc.Id] = Json.FromElement<BanditArm>(doc.Body);
        }

        return arms;
    }

    public static string DayOf(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private async Task<Loaded> LoadAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        if (_cache is { } cached && now - cached.At < CacheFor)
        {
            return cached;
        }

        var arms = new Dictionary<string, BanditArm>(StringComparer.Ordinal);
        await foreach (var doc in documents.ReadPartitionAsync(Collections.Items, PartitionKey, cancellationToken).ConfigureAwait(false))
        {
            arms[doc.Id] = Json.FromElement<BanditArm>(doc.Body);
        }

        var loaded = new Loaded(now, arms, new BanditEstimates(arms, options.Value));
        _cache = loaded;
        return loaded;
    }
}
