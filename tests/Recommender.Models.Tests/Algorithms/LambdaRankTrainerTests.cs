using Recommender.Models.Algorithms;

namespace Recommender.Models.Tests.Algorithms;

public sealed class LambdaRankTrainerTests
{
    /// <summary>Queries where relevance follows feature 0 up to noise and feature 2 above a threshold; features 1 and 3 are noise.</summary>
    private static List<RankingQuery> Queries(int count = 120, int seed = 3)
    {
        var random = new Random(seed);
        var queries = new List<RankingQuery>();
        for (var q = 0; q < count; q++)
        {
            var features = new List<float[]>();
            var labels = new List<float>();
            for (var r = 0; r < 20; r++)
            {
                var row = new[] { (float)random.NextDouble(), (float)random.NextDouble(), random.Next(5), (float)random.NextDouble() * 10 };
                features.Add(row);
                labels.Add(row[0] + (row[2] >= 3 ? 0.5 : 0) + (0.3 * random.NextDouble()) > 1.1 ? 1f : 0f);
            }

            queries.Add(new RankingQuery(features, labels));
        }

        return queries;
    }

    [Fact]
    public void ExportedEnsemble_ScoresEveryRowAsMlNetsOwnModelDoes()
    {
        var queries = Queries();

        var (ensemble, predict) = LambdaRankTrainer.TrainWithEngine(queries, new LambdaRankSettings(Trees: 40, Leaves: 7, MinimumRowsPerLeaf: 5));

        Assert.Equal(40, ensemble.Trees.Count);
        Assert.Contains(ensemble.Trees, t => t.Left.Length > 0);
        foreach (var row in queries.SelectMany(q => q.Features))
        {
            Assert.Equal(predict(row), ensemble.Score(row), 4);
        }
    }

    [Fact]
    public void Ensemble_LearnsTheFeatureThatDecidesRelevance()
    {
        var ensemble = LambdaRankTrainer.Train(Queries(), new LambdaRankSettings(Trees: 40, Leaves: 7, MinimumRowsPerLeaf: 5));

        Assert.True(ensemble.Score([0.9f, 0.5f, 4, 5]) > ensemble.Score([0.1f, 0.5f, 4, 5]));
        Assert.True(ensemble.Score([0.7f, 0.5f, 4, 5]) > ensemble.Score([0.7f, 0.5f, 0, 5]));
    }

    [Fact]
    public void NativeFailure_IsRecognisedThroughWrappingExceptions()
    {
        var missing = new DllNotFoundException("lib_lightgbm");

        Assert.Same(missing, LambdaRankTrainer.NativeFailure(new TypeInitializationException("LightGbmInterfaceUtils", missing)));
        Assert.Null(LambdaRankTrainer.NativeFailure(new InvalidOperationException("something else")));
    }
}
