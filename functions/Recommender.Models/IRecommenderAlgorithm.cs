namespace Recommender.Models;

/// <summary>
/// A recommendation algorithm behind one interface, so every algorithm can be trained, evaluated
/// and served the same way. Training is deterministic for a fixed <see cref="TrainingContext.Seed"/>.
/// </summary>
public interface IRecommenderAlgorithm
{
    /// <summary>Stable short name used by the CLI (<c>--algorithms sar,ease,als</c>) and in model manifests.</summary>
    string Name { get; }

    /// <summary>Learns from <paramref name="interactions"/> (the training split only).</summary>
    void Fit(IReadOnlyList<Interaction> interactions, TrainingContext context);

    /// <summary>
    /// The top <paramref name="k"/> items for <paramref name="user"/>. With <paramref name="excludeSeen"/>
    /// the items the user interacted with in training are never returned; without it they may be
    /// (repeat purchases), scored by the algorithm's own notion of repeat affinity. Unknown users get
    /// the algorithm's fallback (e.g. popularity) or nothing.
    /// </summary>
    IReadOnlyList<ScoredItem> Recommend(string user, int k, bool excludeSeen);
}
