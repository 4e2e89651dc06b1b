namespace Recommender.Models.Algorithms;

/// <summary>
/// One regression tree of a <see cref="TreeEnsemble"/>, as arrays: node n splits on feature
/// <see cref="Feature"/>[n] — value ≤ <see cref="Threshold"/>[n] goes to <see cref="Left"/>[n], else to
/// <see cref="Right"/>[n]; a negative child c is leaf ~c, whose value is <see cref="Leaves"/>[~c]. A tree
/// without splits has one leaf.
/// </summary>
public sealed record RegressionTreeNodes(int[] Left, int[] Right, int[] Feature, float[] Threshold, double[] Leaves)
{
    public double Evaluate(ReadOnlySpan<float> features)
    {
        if (Left.Length == 0)
        {
            return Leaves.Length > 0 ? Leaves[0] : 0;
        }

        var node = 0;
        while (node >= 0)
        {
            node = features[Feature[node]] <= Threshold[node] ? Left[node] : Right[node];
        }

        return Leaves[~node];
    }
}

/// <summary>
/// A trained gradient-boosted tree ensemble (LightGBM LambdaRank, exported from ML.NET by
/// <see cref="LambdaRankTrainer"/>) in a serializable form that scores without ML.NET or the native
/// LightGBM library: Σ weightₜ · treeₜ(x) + bias. It travels in the model store with the model it
/// re-ranks, so serving needs nothing native. Features must be finite (the exporter has no
/// missing-value rule).
/// </summary>
public sealed record TreeEnsemble(IReadOnlyList<RegressionTreeNodes> Trees, double[] Weights, double Bias, int FeatureCount)
{
    public double Score(ReadOnlySpan<float> features)
    {
        if (features.Length != FeatureCount)
        {
            throw new ArgumentException($"the ensemble scores {FeatureCount} features, not {features.Length}", nameof(features));
        }

        var score = Bias;
        for (var t = 0; t < Trees.Count; t++)
        {
            score += Weights[t] * Trees[t].Evaluate(features);
        }

        return score;
    }
}
