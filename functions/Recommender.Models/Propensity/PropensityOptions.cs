namespace Recommender.Models.Propensity;

/// <summary>Settings of <see cref="PropensityModel"/>.</summary>
public sealed record PropensityOptions
{
    /// <summary>The prediction window: "does the user purchase within this long after the cut-off?"</summary>
    /// <value>14 days by default.</value>
    public TimeSpan Window { get; init; } = TimeSpan.FromDays(14);

    /// <summary>
    /// The moment scores refer to (<see cref="PropensityModel.Score"/> predicts a purchase in the
    /// window after it). Evaluation uses the window just before it, training the window before that.
    /// </summary>
    /// <value>Null by default: the latest interaction's time.</value>
    public DateTimeOffset? Cutoff { get; init; }

    /// <summary>Which interactions are purchases.</summary>
    /// <value>Null by default: interactions of weight at least <see cref="PurchaseMinimumWeight"/>.</value>
    public Func<Interaction, bool>? IsPurchase { get; init; }

    /// <summary>The weight from which an interaction counts as a purchase when <see cref="IsPurchase"/> is null.</summary>
    /// <value>5 by default: the ingestion pipeline weighs a view 1, a wishlist add 2, a cart add 3 and a purchase 5.</value>
    public double PurchaseMinimumWeight { get; init; } = 5;

    /// <summary>A pause longer than this starts a new session (the sessions feature).</summary>
    /// <value>30 minutes by default.</value>
    public TimeSpan SessionGap { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Boosting rounds of the LightGBM classifier.</summary>
    /// <value>100 by default.</value>
    public int Iterations { get; init; } = 100;

    /// <summary>Leaves per tree.</summary>
    /// <value>15 by default.</value>
    public int Leaves { get; init; } = 15;

    /// <summary>Shrinkage per boosting round.</summary>
    /// <value>0.05 by default.</value>
    public double LearningRate { get; init; } = 0.05;

    /// <summary>Minimum number of training rows in a leaf.</summary>
    /// <value>10 by default.</value>
    public int MinimumRowsPerLeaf { get; init; } = 10;

    /// <summary>Seed of the ML.NET context and of LightGBM (training is single-threaded and repeatable).</summary>
    /// <value>42 by default.</value>
    public int Seed { get; init; } = 42;
}
