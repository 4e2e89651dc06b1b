namespace Recommender.Models.Algorithms;

/// <summary>
/// How an item-item similarity is derived from the co-occurrence counts c(i, j) (users who interacted
/// with both) and the item frequencies c(i, i) — the definitions of Microsoft Recommenders'
/// <c>recommenders/utils/python_utils.py</c>.
/// </summary>
public enum SimilarityKind
{
    /// <summary>c(i, j).</summary>
    Cooccurrence,

    /// <summary>c(i, j) / (c(i, i) + c(j, j) − c(i, j)).</summary>
    Jaccard,

    /// <summary>c(i, j) / (c(i, i) · c(j, j)).</summary>
    Lift,

    /// <summary>c(i, j) / √(c(i, i) · c(j, j)).</summary>
    Cosine,
}

/// <summary>The similarity formulas, one place for every algorithm and the tests.</summary>
public static class SimilarityFormula
{
    public static double Compute(SimilarityKind kind, double cooccurrence, double frequencyI, double frequencyJ) => kind switch
    {
        SimilarityKind.Cooccurrence => cooccurrence,
        SimilarityKind.Jaccard => cooccurrence / (frequencyI + frequencyJ - cooccurrence),
        SimilarityKind.Lift => cooccurrence / (frequencyI * frequencyJ),
        SimilarityKind.Cosine => cooccurrence / Math.Sqrt(frequencyI * frequencyJ),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown similarity kind"),
    };
}
