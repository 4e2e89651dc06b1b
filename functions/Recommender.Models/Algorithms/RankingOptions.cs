namespace Recommender.Models.Algorithms;

/// <summary>Settings of <see cref="RankingReRanker"/>.</summary>
public sealed record RankingOptions
{
    /// <summary>How many candidates the candidate source proposes per user before re-ranking.</summary>
    /// <value>100 by default.</value>
    public int Candidates { get; init; } = 100;

    /// <summary>How deep each feature source's own list is read (a candidate missing from it gets a missing score).</summary>
    /// <value>200 by default.</value>
    public int FeatureDepth { get; init; } = 200;

    /// <summary>How the internal split picks the labels the ranker learns from.</summary>
    public enum LabelSplit
    {
        /// <summary>Each user's latest interaction(s): learn what comes next (serving, temporal and leave-last evaluation).</summary>
        Latest,

        /// <summary>A seeded random share of each user's items: learn which unseen items belong to the user (random-split evaluation).</summary>
        Random,
    }

    /// <summary>How labels are chosen when the training context does not say what will be predicted.</summary>
    /// <value><see cref="LabelSplit.Latest"/> by default.</value>
    public LabelSplit Labels { get; init; } = LabelSplit.Latest;

    /// <summary>Share of each user's distinct items held out as labels by the <see cref="LabelSplit.Random"/> split.</summary>
    /// <value>0.25 by default (the random protocol's own share).</value>
    public double RandomHoldoutShare { get; init; } = 0.25;

    /// <summary>How many of each user's latest interactions are held out as labels by the internal time split.</summary>
    /// <value>1 by default (the last interaction, as leave-last-out evaluation does).</value>
    public int HoldoutPerUser { get; init; } = 1;

    /// <summary>Users need at least this many interactions before the held-out ones to give a training query.</summary>
    /// <value>3 by default.</value>
    public int MinimumHistory { get; init; } = 3;

    /// <summary>The most users whose queries train the ranker (a seeded sample above it), to bound training time.</summary>
    /// <value>5,000 by default.</value>
    public int MaximumTrainingUsers { get; init; } = 5_000;

    /// <summary>Boosting rounds of LightGBM LambdaRank.</summary>
    /// <value>100 by default.</value>
    public int Iterations { get; init; } = 100;

    /// <summary>Leaves per tree.</summary>
    /// <value>15 by default.</value>
    public int Leaves { get; init; } = 15;

    /// <summary>Shrinkage per boosting round.</summary>
    /// <value>0.05 by default.</value>
    public double LearningRate { get; init; } = 0.05;

    /// <summary>Minimum number of training rows in a leaf.</summary>
    /// <value>20 by default.</value>
    public int MinimumRowsPerLeaf { get; init; } = 20;

    /// <summary>The window of "recent" item popularity, counted back from the latest interaction.</summary>
    /// <value>7 days by default.</value>
    public TimeSpan RecentWindow { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Catalog attribute used for the user–item category affinity feature (case-insensitive).</summary>
    /// <value><c>category</c> by default.</value>
    public string CategoryAttribute { get; init; } = "category";

    /// <summary>Catalog attribute used for the user–item brand affinity feature (case-insensitive).</summary>
    /// <value><c>brand</c> by default.</value>
    public string BrandAttribute { get; init; } = "brand";
}
