using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;

namespace Recommender.Models.Algorithms;

/// <summary>
/// Learning-to-rank re-ranker: a candidate source (any <see cref="IRecommenderAlgorithm"/>) proposes
/// <see cref="RankingOptions.Candidates"/> items per user, and a LightGBM LambdaRank model (ML.NET)
/// orders them by features: each source's score, rank and reciprocal rank (the candidate source
/// and any extra feature sources), item popularity (all time and recent), user activity, and the
/// user's category and brand affinity for the item when a catalog is given.
/// The ranker learns on a time-based split inside the training data: each user's last
/// <see cref="RankingOptions.HoldoutPerUser"/> interaction(s) are the labels (items the user had not
/// touched before), the sources are fitted on the rest, and every candidate of a user is one row of
/// that user's query, labelled 1 when it is a held-out item. The sources are then refitted on all
/// the training data to serve. Deterministic for a seed: MLContext(seed), LightGBM single-threaded
/// with a fixed seed, sources deterministic themselves. Without any query that has a positive
/// candidate (very small data) the candidate source's order is served unchanged.
/// </summary>
public sealed class RankingReRanker : IRecommenderAlgorithm
{
    private readonly IRecommenderAlgorithm _candidateSource;
    private readonly IRecommenderAlgorithm[] _sources;
    private readonly RankingOptions _options;
    private readonly Lock _predictionLock = new();
    private RankingFeatures? _features;
    private PredictionEngine<RankingRow, RankingPrediction>? _engine;

    /// <param name="candidateSource">Proposes the candidates; its score and rank are features too.</param>
    /// <param name="featureSources">Further algorithms whose scores and ranks of the candidates are features (optional).</param>
    /// <param name="options">Settings; defaults when null.</param>
    /// <param name="name">The registry name.</param>
    public RankingReRanker(
        IRecommenderAlgorithm candidateSource,
        IReadOnlyList<IRecommenderAlgorithm>? featureSources = null,
        RankingOptions? options = null,
        string name = "ltr")
    {
        ArgumentNullException.ThrowIfNull(candidateSource);
        _candidateSource = candidateSource;
        _sources = [candidateSource, .. featureSources ?? []];
        _options = options ?? new RankingOptions();
        Name = name;
    }

    public string Name { get; }

    /// <summary>What the last <see cref="Fit"/> learned from: queries, rows and positives of the internal split.</summary>
    public RankingTrainingSummary? TrainingSummary { get; private set; }

    private int FeatureCount => RankingFeatures.FeatureCount(_sources.Length);

    public void Fit(IReadOnlyList<Interaction> interactions, TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        ArgumentNullException.ThrowIfNull(context);
        var (history, labels) = (context.Task == PredictionTask.HeldOutItems ? RankingOptions.LabelSplit.Random : _options.Labels) == RankingOptions.LabelSplit.Random
            ? SplitRandomly(interactions, context.Seed)
            : SplitByTime(interactions);
        context.Progress?.Report(string.Create(CultureInfo.InvariantCulture, $"{Name}: fitting {_sources.Length} source(s) on the internal split ({labels.Count} users with held-out items)"));
        foreach (var source in _sources)
        {
            source.Fit(history, context);
        }

        var historyFeatures = new RankingFeatures(history, context.Catalog, _options);
        var rows = new List<RankingRow>();
        var random = new Random(context.Seed);
        var users = labels.Keys.Order(StringComparer.Ordinal).ToList();
        if (users.Count > _options.MaximumTrainingUsers)
        {
            users = users.OrderBy(_ => random.Next()).Take(_options.MaximumTrainingUsers).Order(StringComparer.Ordinal).ToList();
        }

        var queries = 0;
        var positives = 0;
        foreach (var user in users)
        {
            var candidates = Candidates(user, _options.Candidates, excludeSeen: true, historyFeatures);
            if (!candidates.Any(c => labels[user].Contains(c.Item)))
            {
                continue;
            }

            queries++;
            foreach (var (item, features) in candidates)
            {
                var label = labels[user].Contains(item) ? 1f : 0f;
                positives += (int)label;
                rows.Add(new RankingRow { Label = label, GroupId = (uint)queries, Features = features });
            }
        }

        TrainingSummary = new RankingTrainingSummary(queries, rows.Count, positives);
        _engine?.Dispose();
        _engine = queries == 0 ? null : Train(rows, queries, context.Seed);
        context.Progress?.Report(_engine is null
            ? $"{Name}: no query with a held-out item among its candidates; serving the candidate order unchanged"
            : string.Create(CultureInfo.InvariantCulture, $"{Name}: LambdaRank trained on {queries} queries, {rows.Count} rows, {positives} positives; refitting sources on all data"));

        foreach (var source in _sources)
        {
            source.Fit(interactions, context);
        }

        _features = new RankingFeatures(interactions, context.Catalog, _options);
    }

    public IReadOnlyList<ScoredItem> Recommend(string user, int k, bool excludeSeen)
    {
        var features = _features ?? throw new InvalidOperationException("Fit the model before asking for recommendations.");
        var candidates = Candidates(user, Math.Max(k, _options.Candidates), excludeSeen, features);
        if (_engine is null)
        {
            return candidates.Take(k).Select((c, rank) => new ScoredItem(c.Item, -rank)).ToList();
        }

        var scored = new List<(ScoredItem Item, int Rank)>(candidates.Count);
        lock (_predictionLock)
        {
            var row = new RankingRow();
            var prediction = new RankingPrediction();
            for (var rank = 0; rank < candidates.Count; rank++)
            {
                row.Features = candidates[rank].Features;
                _engine.Predict(row, ref prediction);
                scored.Add((new ScoredItem(candidates[rank].Item, prediction.Score), rank));
            }
        }

        return scored
            .OrderByDescending(s => s.Item.Score)
            .ThenBy(s => s.Rank)
            .Take(k)
            .Select(s => s.Item)
            .ToList();
    }

    /// <summary>
    /// Per user, the last <see cref="RankingOptions.HoldoutPerUser"/> interactions (by time, ties by
    /// input order) become labels — the items among them the user had not touched before — when at
    /// least <see cref="RankingOptions.MinimumHistory"/> interactions precede them; the rest is history.
    /// </summary>
    private (List<Interaction> History, Dictionary<string, HashSet<string>> Labels) SplitByTime(IReadOnlyList<Interaction> interactions)
    {
        var byUser = Enumerable.Range(0, interactions.Count)
            .GroupBy(n => interactions[n].User, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(n => interactions[n].At).ThenBy(n => n).ToArray(), StringComparer.Ordinal);
        var heldOut = new bool[interactions.Count];
        var labels = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (user, order) in byUser)
        {
            var cut = order.Length - _options.HoldoutPerUser;
            if (cut < _options.MinimumHistory)
            {
                continue;
            }

            var before = order.Take(cut).Select(n => interactions[n].Item).ToHashSet(StringComparer.Ordinal);
            var targets = order.Skip(cut).Select(n => interactions[n].Item).Where(item => !before.Contains(item)).ToHashSet(StringComparer.Ordinal);
            foreach (var n in order.Skip(cut))
            {
                heldOut[n] = true;
            }

            if (targets.Count > 0)
            {
                labels[user] = targets;
            }
        }

        var history = new List<Interaction>(interactions.Count);
        for (var n = 0; n < interactions.Count; n++)
        {
            if (!heldOut[n])
            {
                history.Add(interactions[n]);
            }
        }

        return (history, labels);
    }

    /// <summary>
    /// Per user with at least <see cref="RankingOptions.MinimumHistory"/> interactions left, a seeded
    /// <see cref="RankingOptions.RandomHoldoutShare"/> of the distinct items (at least one) become labels
    /// and every interaction with them is removed from the history.
    /// </summary>
    private (List<Interaction> History, Dictionary<string, HashSet<string>> Labels) SplitRandomly(IReadOnlyList<Interaction> interactions, int seed)
    {
        var random = new Random(seed);
        var labels = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var group in interactions.GroupBy(i => i.User, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var items = group.Select(i => i.Item).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            var take = Math.Max(1, (int)Math.Round(items.Length * _options.RandomHoldoutShare, MidpointRounding.ToEven));
            if (items.Length - take < _options.MinimumHistory)
            {
                continue;
            }

            random.Shuffle(items);
            labels[group.Key] = items.Take(take).ToHashSet(StringComparer.Ordinal);
        }

        var history = interactions.Where(i => !(labels.TryGetValue(i.User, out var held) && held.Contains(i.Item))).ToList();
        return (history, labels);
    }

    /// <summary>The candidate source's list for the user with every candidate's feature vector.</summary>
    private List<(string Item, float[] Features)> Candidates(string user, int count, bool excludeSeen, RankingFeatures statistics)
    {
        var lists = new Dictionary<string, (float Score, int Rank)>[_sources.Length];
        var primary = _candidateSource.Recommend(user, count, excludeSeen);
        for (var s = 0; s < _sources.Length; s++)
        {
            var list = s == 0 ? primary : _sources[s].Recommend(user, _options.FeatureDepth, excludeSeen);
            lists[s] = new Dictionary<string, (float, int)>(list.Count, StringComparer.Ordinal);
            for (var rank = 0; rank < list.Count; rank++)
            {
                lists[s].TryAdd(list[rank].Item, ((float)list[rank].Score, rank + 1));
            }
        }

        var result = new List<(string, float[])>(primary.Count);
        foreach (var candidate in primary)
        {
            var features = new float[FeatureCount];
            for (var s = 0; s < _sources.Length; s++)
            {
                var depth = s == 0 ? count : _options.FeatureDepth;
                var found = lists[s].TryGetValue(candidate.Item, out var entry);
                features[(s * RankingFeatures.FeaturesPerSource) + 0] = found ? entry.Score : float.NaN;
                features[(s * RankingFeatures.FeaturesPerSource) + 1] = found ? entry.Rank : depth + 1;
                features[(s * RankingFeatures.FeaturesPerSource) + 2] = found ? 1f / entry.Rank : 0f;
            }

            statistics.WriteCommon(user, candidate.Item, features.AsSpan(_sources.Length * RankingFeatures.FeaturesPerSource));
            result.Add((candidate.Item, features));
        }

        return result;
    }

    private PredictionEngine<RankingRow, RankingPrediction> Train(List<RankingRow> rows, int queries, int seed)
    {
        var ml = new MLContext(seed);
        var schema = Schema(queries);
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        var trainer = ml.Ranking.Trainers.LightGbm(new LightGbmRankingTrainer.Options
        {
            LabelColumnName = nameof(RankingRow.Label),
            FeatureColumnName = nameof(RankingRow.Features),
            RowGroupColumnName = nameof(RankingRow.GroupId),
            NumberOfIterations = _options.Iterations,
            NumberOfLeaves = _options.Leaves,
            LearningRate = _options.LearningRate,
            MinimumExampleCountPerLeaf = _options.MinimumRowsPerLeaf,
            NumberOfThreads = 1,
            Seed = seed,
            Deterministic = true,
            Silent = true,
        });
        var model = trainer.Fit(data);
        return ml.Model.CreatePredictionEngine<RankingRow, RankingPrediction>(model, inputSchemaDefinition: Schema(queries));
    }

    private SchemaDefinition Schema(int queries)
    {
        var schema = SchemaDefinition.Create(typeof(RankingRow));
        schema[nameof(RankingRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, FeatureCount);
        schema[nameof(RankingRow.GroupId)].ColumnType = new KeyDataViewType(typeof(uint), queries + 1);
        return schema;
    }
}

/// <summary>What the re-ranker's internal split gave it to learn from.</summary>
/// <param name="Queries">Users whose candidates contained at least one held-out item.</param>
/// <param name="Rows">Candidate rows over those queries.</param>
/// <param name="Positives">Rows labelled 1.</param>
public sealed record RankingTrainingSummary(int Queries, int Rows, int Positives);

/// <summary>One candidate row of a query (ML.NET input).</summary>
public sealed class RankingRow
{
    public float Label { get; set; }

    public uint GroupId { get; set; }

    public float[] Features { get; set; } = [];
}

/// <summary>The ranker's score of a candidate (ML.NET output).</summary>
public sealed class RankingPrediction
{
    public float Score { get; set; }
}
