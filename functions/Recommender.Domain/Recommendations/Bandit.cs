using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Recommender.Domain.Ports;
using Recommender.Domain.Storage;

namespace Recommender.Domain.Recommendations;

/// <summary>Configuration section <c>Recommender:Bandit</c>.</summary>
public sealed class BanditOptions
{
    public const string Section = "Recommender:Bandit";
    /// <value>Share of home and email requests where Thompson sampling picks the strategy instead of the default (0 to 1). Default 0.1.</value>
    [Range(0.0, 1.0)]
    public double ExplorationShare { get; set; } = 0.1;
}

/// <summary>Checks <see cref="BanditOptions"/> at start (source-generated from its annotations).</summary>
[OptionsValidator]
public sealed partial class BanditOptionsValidator : IValidateOptions<BanditOptions>;

/// <summary>Impressions, clicks and attributed purchases of one strategy in one placement × segment (a Beta-Bernoulli arm).</summary>
public sealed class BanditArm
{
    public required string Strategy { get; init; }
    public double Impressions { get; set; }
    public double Clicks { get; set; }
    public double Purchases { get; set; }

    public double ClickRate => Impressions <= 0 ? 0 : Clicks / Impressions;

    /// <summary>Successes for the posterior: clicks, and purchases counted as a second success, never above impressions.</summary>
    public double Rewards => Math.Min(Impressions, Clicks + Purchases);
}

/// <summary>What the event pipeline tells the bandit about one list it served.</summary>
public enum BanditFeedback
{
    Impression,
    Click,
    Purchase,
}

/// <summary>The strategy chosen for one request and whether it was an exploration.</summary>
public readonly record struct BanditChoice(string Strategy, bool Explored);

/// <summary>
/// A contextual bandit over placement × segment (<see cref="ContextOf"/>: the customer's lifecycle segment from the
/// latest segmentation run, <c>known</c> or <c>anonymous</c>) choosing among candidate strategies
/// (<c>personalized</c>, <c>trending</c>, <c>popular</c>): on an exploration share of requests it draws
/// each arm's click rate from its Beta(1 + clicks, 1 + impressions − clicks) posterior and serves the
/// best draw (Thompson sampling); otherwise the default strategy. It learns from
/// <c>recommendation_impression</c>, <c>recommendation_click</c> and purchase lines that carry a
/// recommendation id (a purchase counts as a second success), whose recommendation id
/// carries the strategy and segment it was served with (<see cref="RecommendationIdOf"/>). Arm counts
/// are anonymous aggregates (collection <c>items</c>, partition <c>_bandit</c>), read through a
/// 30-second cache.
/// </summary>
public sealed class BanditPolicy(IDocumentStore documents, Microsoft.Extensions.Options.IOptions<BanditOptions> options, TimeProvider timeProvider, Random? random = null)
{
    public const string PartitionKey = "_bandit";
    public static readonly IReadOnlyList<string> Strategies = ["personalized", "trending", "popular"];
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    private readonly Random _random = random ?? Random.Shared;
    private readonly Lock _gate = new();
    private (DateTimeOffset At, Dictionary<string, BanditArm> Arms)? _cache;

    public double ExplorationShare => Math.Clamp(options.Value.ExplorationShare, 0, 1);

    /// <summary>Lifecycle segments a customer's bandit context may be, most specific first (a customer in several takes the first).</summary>
    public static readonly IReadOnlyList<string> SegmentContexts = [Segments.SegmentNames.Vip, Segments.SegmentNames.AtRisk, Segments.SegmentNames.Dormant,
        Segments.SegmentNames.New, Segments.SegmentNames.Active];

    /// <summary>
    /// The context of a customer who may be personalized for: the first of <see cref="SegmentContexts"/> among their
    /// segments, else <c>known</c> (not scored yet, or in no lifecycle segment). Visitors and the others are <c>anonymous</c>.
    /// </summary>
    public static string ContextOf(IReadOnlyCollection<string> segments) =>
        SegmentContexts.FirstOrDefault(s => segments.Contains(s, StringComparer.Ordinal)) ?? "known";

    public static string ArmId(string placement, string segment, string strategy) => $"{placement}.{segment}.{strategy}";

    /// <summary><c>rec-{placement}.{segment}.{strategy}-{guid}</c>: attribution needs nothing but the id the storefront echoes back.</summary>
    public static string RecommendationIdOf(string placement, string segment, string strategy, Guid id) => $"rec-{ArmId(placement, segment, strategy)}-{id:N}";

    /// <summary>The arm a recommendation id was served from, or null for ids of another shape.</summary>
    public static string? ArmOf(string? recommendationId)
    {
        if (recommendationId is null || !recommendationId.StartsWith("rec-", StringComparison.Ordinal))
        {
            return null;
        }

        var dash = recommendationId.LastIndexOf('-');
        var arm = dash > 4 ? recommendationId[4..dash] : null;
        return arm is not null && arm.Count(c => c == '.') == 2 && Strategies.Contains(arm[(arm.LastIndexOf('.') + 1)..]) ? arm : null;
    }

    public async Task<BanditChoice> ChooseAsync(string placement, string segment, IReadOnlyList<string> available, string fallback, CancellationToken cancellationToken = default)
    {
        if (available.Count <= 1 || _random.NextDouble() >= ExplorationShare)
        {
            return new BanditChoice(fallback, false);
        }

        var arms = await ArmsAsync(cancellationToken).ConfigureAwait(false);
        var best = fallback;
        var bestDraw = double.NegativeInfinity;
        foreach (var strategy in available)
        {
            var arm = arms.GetValueOrDefault(ArmId(placement, segment, strategy));
            var rewards = arm?.Rewards ?? 0;
            var misses = Math.Max(0, (arm?.Impressions ?? 0) - rewards);
            var draw = SampleBeta(1 + rewards, 1 + misses);
            if (draw > bestDraw)
            {
                (best, bestDraw) = (strategy, draw);
            }
        }

        return new BanditChoice(best, true);
    }

    /// <summary>Counts impressions, clicks and attributed purchases per arm (from the event pipeline); returns the store operations used.</summary>
    public async Task<int> RecordAsync(IEnumerable<(string? RecommendationId, BanditFeedback Kind)> feedback, CancellationToken cancellationToken = default)
    {
        var deltas = new Dictionary<string, BanditArm>(StringComparer.Ordinal);
        foreach (var (recommendationId, kind) in feedback)
        {
            if (ArmOf(recommendationId) is not { } arm)
            {
                continue;
            }

            if (!deltas.TryGetValue(arm, out var delta))
            {
                deltas[arm] = delta = new BanditArm { Strategy = arm[(arm.LastIndexOf('.') + 1)..] };
            }

            _ = kind switch
            {
                BanditFeedback.Impression => delta.Impressions++,
                BanditFeedback.Click => delta.Clicks++,
                _ => delta.Purchases++,
            };
        }

        var operations = 0;
        foreach (var (arm, delta) in deltas)
        {
            var increments = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var (name, value) in new[] { ("impressions", delta.Impressions), ("clicks", delta.Clicks), ("purchases", delta.Purchases) })
            {
                if (value > 0)
                {
                    increments[name] = value;
                }
            }

            operations += await documents.IncrementOrCreateAsync(Collections.Items, PartitionKey, arm, increments, () => delta, cancellationToken).ConfigureAwait(false);
        }

        return operations;
    }

    /// <summary>Every arm's counts (the operator's view), fresh from the store.</summary>
    public async Task<IReadOnlyDictionary<string, BanditArm>> ReportAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            _cache = null;
        }

        return await ArmsAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<Dictionary<string, BanditArm>> ArmsAsync(CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        lock (_gate)
        {
            if (_cache is { } cached && now - cached.At < CacheFor)
            {
                return cached.Arms;
            }
        }

        var arms = new Dictionary<string, BanditArm>(StringComparer.Ordinal);
        await foreach (var doc in documents.ReadPartitionAsync(Collections.Items, PartitionKey, cancellationToken).ConfigureAwait(false))
        {
            arms[doc.Id] = Json.FromElement<BanditArm>(doc.Body);
        }

        lock (_gate)
        {
            _cache = (now, arms);
        }

        return arms;
    }

    /// <summary>Beta(a, b) as X/(X+Y) with X ~ Gamma(a), Y ~ Gamma(b) (Marsaglia–Tsang).</summary>
    private double SampleBeta(double a, double b)
    {
        var x = SampleGamma(a);
        var y = SampleGamma(b);
        return x / (x + y);
    }

    private double SampleGamma(double shape)
    {
        if (shape < 1)
        {
            return SampleGamma(shape + 1) * Math.Pow(_random.NextDouble(), 1 / shape);
        }

        var d = shape - (1.0 / 3);
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal();
                v = 1 + (c * x);
            }
            while (v <= 0);

            v = v * v * v;
            var u = _random.NextDouble();
            if (u < 1 - (0.0331 * x * x * x * x) || Math.Log(u) < (0.5 * x * x) + (d * (1 - v + Math.Log(v))))
            {
                return d * v;
            }
        }
    }

    private double Normal()
    {
        var u1 = 1.0 - _random.NextDouble();
        var u2 = _random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
