namespace Recommender.Models.Algorithms;

/// <summary>Hyper-parameters of <see cref="Rp3BetaRecommender"/>.</summary>
public sealed record Rp3BetaOptions
{
    /// <summary>The exponent α applied to both transition probabilities of the walk (1/|items of u|, 1/|users of i|).</summary>
    /// <value>1 by default (the plain three-step random walk, P³). Below 1 flattens the walk, above 1 sharpens it; must be positive.</value>
    public double Alpha { get; init; } = 1.0;

    /// <summary>The popularity penalty β: the walk's arrival probability at j is divided by popularity(j)^β.</summary>
    /// <value>0.5 by default; 0 is the plain walk (favours popular items), larger values favour the long tail. Must be in [0, 2].</value>
    public double Beta { get; init; } = 0.5;

    /// <summary>Entries kept per row of the item × item matrix (its strongest).</summary>
    /// <value>100 by default; at least 1.</value>
    public int Neighbours { get; init; } = 100;
}
