namespace Recommender.Models.Evaluation;

/// <summary>Every metric of one algorithm on one evaluation set; ranking metrics are means over <see cref="Users"/>.</summary>
/// <param name="Algorithm">Registry name.</param>
/// <param name="Users">Evaluated users.</param>
/// <param name="Map">Recommenders' <c>map</c>: average precision in the top k over the number of relevant items.</param>
/// <param name="MapAtK">Recommenders' <c>map_at_k</c>: the same over min(relevant, k).</param>
/// <param name="Ndcg">nDCG@k, binary relevance.</param>
/// <param name="Precision">Precision@k.</param>
/// <param name="Recall">Recall@k.</param>
/// <param name="HitRate">HR@k: share of users with at least one hit.</param>
/// <param name="Coverage">Catalog coverage.</param>
/// <param name="Diversity">Intra-list diversity (1 − mean co-occurrence cosine).</param>
/// <param name="Novelty">Mean −log2 popularity of recommended items.</param>
/// <param name="TrainMilliseconds">Wall time of <see cref="IRecommenderAlgorithm.Fit"/>.</param>
/// <param name="ScoreMilliseconds">Wall time of all <see cref="IRecommenderAlgorithm.Recommend"/> calls.</param>
public sealed record AlgorithmEvaluation(
    string Algorithm,
    int Users,
    double Map,
    double MapAtK,
    double Ndcg,
    double Precision,
    double Recall,
    double HitRate,
    double Coverage,
    double Diversity,
    double Novelty,
    double TrainMilliseconds,
    double ScoreMilliseconds);
