namespace Recommender.Domain.Recommendations;

/// <summary>
/// The bandit's beliefs, built from every arm's totals: each arm's reward rate has a Beta posterior whose prior is
/// centred on the level above it — placement (all strategies) → placement × strategy → placement × segment × strategy
/// → placement × context × strategy — with <see cref="BanditOptions.PriorStrength"/> impressions' weight. An arm with no data of its own is believed to do what its parent does, so a context seen
/// for the first time is served what works in its segment, and a strategy nobody tried is never believed better than
/// the placement's average. The placement's pooled rate starts from one success and one failure (Beta(1, 1)), so every
/// mean stays strictly between 0 and 1 and every posterior is proper. Pure: the same arms give the same decisions.
/// </summary>
public sealed class BanditEstimates
{
    private readonly Dictionary<(string Placement, string Segment, string Profile, string Strategy), (double N, double S)> _levels = [];
    private readonly HashSet<string> _measured = new(StringComparer.Ordinal);
    private readonly double _strength;
    private readonly double _switchConfidence;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Placement, string Segment, string? Profile, string Fallback, int Strategies), string> _best = new();

    public BanditEstimates(IReadOnlyDictionary<string, BanditArm> arms, BanditOptions options)
    {
        ArgumentNullException.ThrowIfNull(arms);
        ArgumentNullException.ThrowIfNull(options);
        _strength = options.PriorStrength;
        _switchConfidence = options.SwitchConfidence;
        foreach (var (id, arm) in arms)
        {
            if (BanditPolicy.Parts(id) is not var (placement, context, strategy))
            {
                continue;
            }

            if (arm.Impressions > 0 || arm.Clicks > 0 || arm.Purchases > 0)
            {
                _measured.Add(placement);
            }

            var (n, s) = (arm.Impressions, arm.Rewards(options.ClickReward));
            var ctx = BanditContext.Parse(context);
            Add((placement, "", "", ""), n, s);
            Add((placement, "", "", strategy), n, s);
            Add((placement, ctx.Segment, "", strategy), n, s);
            if (ctx.Profile is { } profile)
            {
                Add((placement, ctx.Segment, profile, strategy), n, s);
            }
        }
    }

    /// <summary>
    /// Whether any feedback (an impression, a click or an attributed purchase line, on any arm) was recorded for the
    /// placement: whether the store sends what exploration learns from.
    /// </summary>
    public bool HasFeedback(string placement) => _measured.Contains(placement);

    private void Add((string, string, string, string) key, double n, double s)
    {
        var (n0, s0) = _levels.GetValueOrDefault(key);
        _levels[key] = (n0 + n, s0 + s);
    }

    /// <summary>The arm's posterior Beta(a, b).</summary>
    public (double A, double B) Posterior(string placement, BanditContext context, string strategy)
    {
        var (n0, s0) = _levels.GetValueOrDefault((placement, "", "", ""));
        var mean = (1 + s0) / (2 + n0);
        (double N, double S) finest;
        if (context.Profile is { } profile)
        {
            mean = Shrink(mean, _levels.GetValueOrDefault((placement, "", "", strategy)));
            mean = Shrink(mean, _levels.GetValueOrDefault((placement, context.Segment, "", strategy)));
            finest = _levels.GetValueOrDefault((placement, context.Segment, profile, strategy));
        }
        else
        {
            mean = Shrink(mean, _levels.GetValueOrDefault((placement, "", "", strategy)));
            finest = _levels.GetValueOrDefault((placement, context.Segment, "", strategy));
        }

        return ((_strength * mean) + finest.S, (_strength * (1 - mean)) + Math.Max(0, finest.N - finest.S));
    }

    /// <summary>The posterior mean reward rate of an arm.</summary>
    public double Mean(string placement, BanditContext context, string strategy)
    {
        var (a, b) = Posterior(placement, context, strategy);
        return a / (a + b);
    }

    /// <summary>
    /// Exploitation: <paramref name="fallback"/> unless the evidence says another strategy earns more — shown at least
    /// once in the placement (trying the others is exploration's job), with a higher posterior mean in the context, and
    /// whose reward rate is above the fallback's posterior mean with the posterior probability
    /// <see cref="BanditOptions.SwitchConfidence"/> in the context or in its segment (<see cref="ProbabilityAbove"/>); of
    /// those, the one with the highest posterior mean. So with no data, or with too little to tell, the default.
    /// </summary>
    public string Best(string placement, BanditContext context, IReadOnlyList<string> available, string fallback)
    {
        ArgumentNullException.ThrowIfNull(available);
        // The same question gets the same answer until the estimates are rebuilt: asked once per placement, context and choice.
        var strategies = 0;
        foreach (var strategy in available)
        {
            var index = IndexOf(strategy);
            strategies |= index < 0 ? 1 << 30 : 1 << index;
        }

        return strategies >= 1 << 30
            ? BestOf(placement, context, available, fallback)
            : _best.GetOrAdd((placement, context.Segment, context.Profile, fallback, strategies), _ => BestOf(placement, context, available, fallback));
    }

    private static int IndexOf(string strategy)
    {
        for (var i = 0; i < BanditPolicy.Strategies.Count; i++)
        {
            if (string.Equals(BanditPolicy.Strategies[i], strategy, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private string BestOf(string placement, BanditContext context, IReadOnlyList<string> available, string fallback)
    {
        var best = fallback;
        var baseline = Mean(placement, context, fallback);
        var bestMean = baseline;
        foreach (var strategy in available)
        {
            if (strategy == fallback || _levels.GetValueOrDefault((placement, "", "", strategy)).N <= 0)
            {
                continue;
            }

            var mean = Mean(placement, context, strategy);
            if (mean > bestMean && Confident(placement, context, strategy, fallback, baseline))
            {
                (best, bestMean) = (strategy, mean);
            }
        }

        return best;
    }

    /// <summary>
    /// Whether the evidence says <paramref name="strategy"/> earns more than <paramref name="fallback"/> (posterior mean
    /// <paramref name="fallbackMean"/> in the context) with
    /// <see cref="BanditOptions.SwitchConfidence"/>: in the context itself, or in its segment as a whole (a context
    /// seen for the first time has only its segment's evidence, borrowed with <see cref="BanditOptions.PriorStrength"/>
    /// impressions' weight, which alone could never be sure).
    /// </summary>
    private bool Confident(string placement, BanditContext context, string strategy, string fallback, double fallbackMean)
    {
        if (ProbabilityAbove(Posterior(placement, context, strategy), fallbackMean) >= _switchConfidence)
        {
            return true;
        }

        var segment = context with { Profile = null };
        return context.Profile is not null
            && ProbabilityAbove(Posterior(placement, segment, strategy), Mean(placement, segment, fallback)) >= _switchConfidence;
    }

    /// <summary>
    /// P(X &gt; <paramref name="mean"/>) for X ~ Beta(<paramref name="posterior"/>), by the normal approximation (the
    /// Beta's mean and variance): how sure the evidence is that an arm's reward rate is above a mean. 0.5 at the mean.
    /// </summary>
    public static double ProbabilityAbove((double A, double B) posterior, double mean)
    {
        var n = posterior.A + posterior.B;
        var z = ((posterior.A / n) - mean) / Math.Sqrt(posterior.A * posterior.B / (n * n * (n + 1)));
        if (double.IsNaN(z))
        {
            return 0.5;
        }

        var tail = Experiments.ExperimentStatistics.ChiSquareSurvival(z * z, 1) / 2; // P(Z > |z|)
        return z >= 0 ? 1 - tail : tail;
    }

    /// <summary>Exploration: Thompson sampling, one draw from each arm's posterior, the best draw wins.</summary>
    public string Sample(string placement, BanditContext context, IReadOnlyList<string> available, string fallback, Random random)
    {
        ArgumentNullException.ThrowIfNull(available);
        ArgumentNullException.ThrowIfNull(random);
        var best = fallback;
        var bestDraw = double.NegativeInfinity;
        foreach (var strategy in available)
        {
            var (a, b) = Posterior(placement, context, strategy);
            var draw = BetaSampler.Sample(random, a, b);
            if (draw > bestDraw)
            {
                (best, bestDraw) = (strategy, draw);
            }
        }

        return best;
    }

    /// <summary>The level's own evidence pulls the parent's mean towards its rate (none: the parent's mean unchanged).</summary>
    private double Shrink(double parentMean, (double N, double S) level) =>
        level.N <= 0 ? parentMean : ((_strength * parentMean) + level.S) / (_strength + level.N);
}

/// <summary>Beta(a, b) as X/(X+Y) with X ~ Gamma(a), Y ~ Gamma(b) (Marsaglia–Tsang).</summary>
internal static class BetaSampler
{
    public static double Sample(Random random, double a, double b)
    {
        var x = Gamma(random, a);
        var y = Gamma(random, b);
        return x / (x + y);
    }

    private static double Gamma(Random random, double shape)
    {
        if (shape < 1)
        {
            return Gamma(random, shape + 1) * Math.Pow(random.NextDouble(), 1 / shape);
        }

        var d = shape - (1.0 / 3);
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal(random);
                v = 1 + (c * x);
            }
            while (v <= 0);

            v = v * v * v;
            var u = random.NextDouble();
            if (u < 1 - (0.0331 * x * x * x * x) || Math.Log(u) < (0.5 * x * x) + (d * (1 - v + Math.Log(v))))
            {
                return d * v;
            }
        }
    }

    private static double Normal(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
