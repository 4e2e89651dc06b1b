namespace Recommender.Models.Algorithms;

/// <summary>Hyper-parameters of <see cref="AlsRecommender"/>.</summary>
public sealed record AlsOptions
{
    /// <summary>The number of latent factors per user and per item.</summary>
    /// <value>64 by default.</value>
    public int Factors { get; init; } = 64;

    /// <summary>The L2 penalty λ on every factor vector.</summary>
    /// <value>
    /// 10 by default: of λ ∈ {1, 10, 50, 150} × α ∈ {1, 10} × {32, 64} factors, λ = 10 with α = 1 and
    /// 64 factors was the best setting on both the shared e-commerce sample and MovieLens-100k
    /// (README "Recommendation quality"); the earlier λ = 0.05, α = 10 overfitted both.
    /// </value>
    public float Regularization { get; init; } = 10f;

    /// <summary>The confidence slope: an interaction of weight r counts with confidence c = 1 + α·r.</summary>
    /// <value>
    /// 1 by default, for weights of 1 (view) to 5 (purchase or a 5-star rating); Hu, Koren and
    /// Volinsky used 40 on raw watch counts. Larger values trust the observed pairs more than the
    /// unobserved zeros.
    /// </value>
    public float Alpha { get; init; } = 1f;

    /// <summary>Alternating sweeps (users, then items).</summary>
    /// <value>15 by default.</value>
    public int Iterations { get; init; } = 15;

    /// <summary>Conjugate-gradient steps per factor vector and sweep, warm-started from the previous vector.</summary>
    /// <value>3 by default (as in Takács et al. 2011 and the <c>implicit</c> library); more gets closer to the exact solve.</value>
    public int ConjugateGradientSteps { get; init; } = 3;

    /// <summary>Whether to compute the training loss after each sweep (<see cref="AlsRecommender.LossHistory"/>).</summary>
    /// <value>False by default: it costs about one extra half-sweep.</value>
    public bool TrackLoss { get; init; }
}
