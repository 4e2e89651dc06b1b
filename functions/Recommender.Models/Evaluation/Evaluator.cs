using System.Diagnostics;

namespace Recommender.Models.Evaluation;

/// <summary>Trains one algorithm on a split's training data and measures its top-k lists for the evaluated users.</summary>
public static class Evaluator
{
    public static AlgorithmEvaluation Evaluate(IRecommenderAlgorithm algorithm, EvaluationSet set, int k, TrainingContext context, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);

        progress?.Report($"{algorithm.Name}: training on {set.Split.Train.Count:N0} interactions");
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        algorithm.Fit(set.Split.Train, context);
        var trainMilliseconds = clock.Elapsed.TotalMilliseconds;

        // On a shared machine the wall time says more about the neighbours than the model: the process's CPU time during training too.
        progress?.Report($"{algorithm.Name}: trained in {trainMilliseconds:F0} ms wall, {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds:F0} ms CPU (process, all threads)");

        var lists = new IReadOnlyList<string>[set.Users.Count];
        var step = Math.Max(1, set.Users.Count / 10);
        clock.Restart();
        for (var n = 0; n < set.Users.Count; n++)
        {
            lists[n] = algorithm.Recommend(set.Users[n].User, k, set.ExcludeSeen).Select(s => s.Item).ToArray();
            if ((n + 1) % step == 0 || n + 1 == set.Users.Count)
            {
                progress?.Report($"{algorithm.Name}: scored {n + 1:N0}/{set.Users.Count:N0} users");
            }
        }

        var scoreMilliseconds = clock.Elapsed.TotalMilliseconds;

        double map = 0, mapAtK = 0, ndcg = 0, precision = 0, recall = 0, hits = 0;
        for (var n = 0; n < set.Users.Count; n++)
        {
            var relevant = set.Users[n].Relevant;
            map += RankingMetrics.AveragePrecision(lists[n], relevant, k);
            mapAtK += RankingMetrics.AveragePrecision(lists[n], relevant, k, capAtK: true);
            ndcg += RankingMetrics.Ndcg(lists[n], relevant, k);
            precision += RankingMetrics.Precision(lists[n], relevant, k);
            recall += RankingMetrics.Recall(lists[n], relevant, k);
            hits += RankingMetrics.Hit(lists[n], relevant, k);
        }

        var users = Math.Max(1, set.Users.Count);
        return new AlgorithmEvaluation(
            algorithm.Name,
            set.Users.Count,
            map / users,
            mapAtK / users,
            ndcg / users,
            precision / users,
            recall / users,
            hits / users,
            BeyondAccuracyMetrics.CatalogCoverage(lists, set.Statistics),
            BeyondAccuracyMetrics.Diversity(lists, set.Statistics),
            BeyondAccuracyMetrics.Novelty(lists, set.Statistics),
            trainMilliseconds,
            scoreMilliseconds);
    }
}
