using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace Recommender.Models.Algorithms;

/// <summary>One query of learning-to-rank data: its candidates' feature vectors and labels (1 relevant, 0 not).</summary>
public sealed record RankingQuery(IReadOnlyList<float[]> Features, IReadOnlyList<float> Labels);

/// <summary>Settings of <see cref="LambdaRankTrainer"/>.</summary>
/// <param name="Trees">Boosting rounds.</param>
/// <param name="Leaves">Leaves per tree.</param>
/// <param name="LearningRate">Shrinkage per round.</param>
/// <param name="MinimumRowsPerLeaf">Fewest training rows in a leaf.</param>
/// <param name="Seed">Seed of ML.NET and LightGBM (single-threaded, deterministic).</param>
public sealed record LambdaRankSettings(int Trees = 100, int Leaves = 15, double LearningRate = 0.05, int MinimumRowsPerLeaf = 20, int Seed = 42);

/// <summary>The native LightGBM library could not be loaded (or failed): no LambdaRank model can be trained here.</summary>
public sealed class LambdaRankUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Trains a LightGBM LambdaRank model (ML.NET) on ranking queries and exports it as a
/// <see cref="TreeEnsemble"/> that scores in plain C#. Training needs the native LightGBM library;
/// when it cannot be loaded the trainer throws <see cref="LambdaRankUnavailableException"/> with the
/// reason (callers skip the candidate, never crash). Deterministic for a seed.
/// </summary>
public static class LambdaRankTrainer
{
    public static TreeEnsemble Train(IReadOnlyList<RankingQuery> queries, LambdaRankSettings settings) =>
        TrainWithEngine(queries, settings).Ensemble;

    /// <summary>The exported ensemble and ML.NET's own prediction engine of the same model (for checking the export).</summary>
    internal static (TreeEnsemble Ensemble, Func<float[], float> Predict) TrainWithEngine(IReadOnlyList<RankingQuery> queries, LambdaRankSettings settings)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(settings);
        var width = queries.SelectMany(q => q.Features).Select(f => f.Length).DefaultIfEmpty(0).First();
        var rows = new List<RankingRow>();
        for (var q = 0; q < queries.Count; q++)
        {
            for (var r = 0; r < queries[q].Features.Count; r++)
            {
                if (queries[q].Features[r].Length != width)
                {
                    throw new ArgumentException("every row needs the same number of features", nameof(queries));
                }

                rows.Add(new RankingRow { Label = queries[q].Labels[r], GroupId = (uint)(q + 1), Features = queries[q].Features[r] });
            }
        }

        if (rows.Count == 0 || width == 0)
        {
            throw new ArgumentException("no rows to learn from", nameof(queries));
        }

        try
        {
            var ml = new MLContext(settings.Seed);
            var schema = SchemaDefinition.Create(typeof(RankingRow));
            schema[nameof(RankingRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
            schema[nameof(RankingRow.GroupId)].ColumnType = new KeyDataViewType(typeof(uint), queries.Count + 1);
            var data = ml.Data.LoadFromEnumerable(rows, schema);
            var trainer = ml.Ranking.Trainers.LightGbm(new LightGbmRankingTrainer.Options
            {
                LabelColumnName = nameof(RankingRow.Label),
                FeatureColumnName = nameof(RankingRow.Features),
                RowGroupColumnName = nameof(RankingRow.GroupId),
                NumberOfIterations = settings.Trees,
                NumberOfLeaves = settings.Leaves,
                LearningRate = settings.LearningRate,
                MinimumExampleCountPerLeaf = settings.MinimumRowsPerLeaf,
                NumberOfThreads = 1,
                Seed = settings.Seed,
                Deterministic = true,
                Silent = true,
                HandleMissingValue = false,
            });
            var model = trainer.Fit(data);
            var ensemble = Export(model.Model.TrainedTreeEnsemble, width);
            var engine = ml.Model.CreatePredictionEngine<RankingRow, RankingPrediction>(model, inputSchemaDefinition: schema);
            var gate = new Lock();
            return (ensemble, features =>
            {
                lock (gate)
                {
                    return engine.Predict(new RankingRow { Features = features }).Score;
                }
            });
        }
        catch (Exception ex) when (NativeFailure(ex) is { } native)
        {
            throw new LambdaRankUnavailableException($"LightGBM native library unavailable: {native.GetType().Name}: {native.Message}", ex);
        }
    }

    /// <summary>The native-library failure behind <paramref name="ex"/>, if that is what it is.</summary>
    public static Exception? NativeFailure(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
            {
                return e;
            }
        }

        return null;
    }

    private static TreeEnsemble Export(RegressionTreeEnsemble trained, int width)
    {
        var trees = trained.Trees.Select(tree => new RegressionTreeNodes(
            [.. tree.LeftChild],
            [.. tree.RightChild],
            [.. tree.NumericalSplitFeatureIndexes],
            [.. tree.NumericalSplitThresholds],
            [.. tree.LeafValues])).ToList();
        if (trained.Trees.Any(t => t.CategoricalSplitFlags.Any(c => c)))
        {
            throw new InvalidOperationException("categorical splits cannot be exported");
        }

        return new TreeEnsemble(trees, [.. trained.TreeWeights], trained.Bias, width);
    }
}
