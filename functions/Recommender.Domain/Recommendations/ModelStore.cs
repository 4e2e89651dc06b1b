using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Domain.Recommendations;

/// <summary>The pointer to the model version being served; a pinned pointer is not moved by training.</summary>
public sealed record CurrentModel(string Version, DateTimeOffset PromotedAt, bool Pinned = false, string? Reason = null);

/// <summary>What was trained, on what, how it scored, and why it was (or was not) served.</summary>
public sealed record ModelManifest
{
    public required string Version { get; init; }
    public required string Algorithm { get; init; }
    public required DateTimeOffset TrainedAt { get; init; }
    public required int EventCount { get; init; }
    public required int CustomerCount { get; init; }
    public required int ItemCount { get; init; }
    /// <summary>Holdout metrics of this algorithm (trained without the holdout window), e.g. <c>ndcg@10</c>.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
    /// <summary>The served model's algorithm on the same holdout, when there was one.</summary>
    public IReadOnlyDictionary<string, double>? BaselineMetrics { get; init; }
    public string? Decision { get; init; }
    /// <summary>The hyper-parameters it was trained with (chosen on a validation split of the training data); null for defaults.</summary>
    public IReadOnlyDictionary<string, double>? Settings { get; init; }
    /// <summary>The search that chose <see cref="Settings"/>.</summary>
    public Training.TuningRecord? Tuning { get; init; }
    /// <summary>The gate's interval against the served algorithm, when one was compared.</summary>
    public Training.GateRecord? Gate { get; init; }
    /// <summary>Which interactions <see cref="Metrics"/> held out (each customer's latest, or drawn at random); null for a version no training run judged.</summary>
    public Training.HoldoutOrder? Holdout { get; init; }
    /// <summary>Every candidate of the run that produced it and its primary metric on the gate's holdout (null: skipped, see <see cref="SkippedCandidates"/>).</summary>
    public IReadOnlyDictionary<string, double?>? Candidates { get; init; }
    /// <summary>Candidates the run could not train and why (e.g. the LightGBM native library did not load).</summary>
    public IReadOnlyDictionary<string, string>? SkippedCandidates { get; init; }
    /// <summary>The re-ranker served with this version, when it has one.</summary>
    public ReRankerSummary? ReRanker { get; init; }
    /// <summary>The training run or erasure that produced this version.</summary>
    public string? Origin { get; init; }
    /// <summary>The event weights table the version was trained with (<c>Recommender:EventWeights</c>): a change shows at the next training run, here.</summary>
    public IReadOnlyDictionary<string, double>? EventWeights { get; init; }
    /// <summary>The purchase-propensity model trained by the same run: its AUC on the next window, the customers scored.</summary>
    public Training.PropensityRecord? Propensity { get; init; }
}

/// <summary>A served re-ranker as the manifest records it: its base, depth, features, trees and what it learned from.</summary>
public sealed record ReRankerSummary(string Base, int Candidates, IReadOnlyList<string> Features, int Trees, int Queries, int Rows, DateTimeOffset FactsAsOf)
{
    public static ReRankerSummary? Of(ReRanker? reRanker) => reRanker is null ? null
        : new(reRanker.Base, reRanker.Table.Candidates, reRanker.Features, reRanker.Ensemble.Trees.Count, reRanker.Queries, reRanker.Rows, reRanker.Table.AsOf);
}

/// <summary>A version may not be served again: it was trained before an erasure completed.</summary>
public sealed class ModelVersionUnavailableException(string message) : Exception(message);

/// <summary>
/// Versioned, immutable models in blob storage — <c>models/item-item/{version}.json</c> and its
/// <c>{version}.manifest.json</c> — with a <c>current.json</c> pointer (optionally pinned). The served
/// model is cached in memory and the pointer re-checked at most every <see cref="RefreshInterval"/>.
/// Versions trained before the latest completed erasure can never be pointed at again.
/// </summary>
public sealed class ModelStore(IBlobStore blobs, TimeProvider timeProvider)
{
    public const string Folder = BlobPrefixes.Models + "item-item/";
    public const string PointerName = Folder + "current.json";
    public const string ErasureMarkName = Folder + "last-erasure.json";
    /// <summary>Pointers of the models trained for placements that name their algorithm: <c>placements/{algorithm}.json</c>.</summary>
    public const string PlacementFolder = Folder + "placements/";
    private const string ManifestSuffix = ".manifest.json";
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private ItemSimilarityModel _current = ItemSimilarityModel.Empty;
    private DateTimeOffset _checkedAt = DateTimeOffset.MinValue;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (ItemSimilarityModel? Model, DateTimeOffset CheckedAt)> _byAlgorithm = new(StringComparer.Ordinal);

    private sealed record ErasureMark(DateTimeOffset At);

    public static string BlobNameOf(string version) => $"{Folder}{version}.json";

    public static string ManifestNameOf(string version) => $"{Folder}{version}{ManifestSuffix}";

    /// <summary>Writes a new version and its manifest; never overwrites either.</summary>
    public async Task SaveAsync(ItemSimilarityModel model, ModelManifest manifest, CancellationToken cancellationToken = default)
    {
        await blobs.PutAsync(BlobNameOf(model.Version), Json.ToUtf8(model), overwrite: false, cancellationToken).ConfigureAwait(false);
        await blobs.PutAsync(ManifestNameOf(model.Version), Json.ToUtf8(manifest), overwrite: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Points serving at <paramref name="version"/> (rollback, pin, or a promotion).</summary>
    public async Task<CurrentModel> PointToAsync(string version, string reason, bool pinned, CancellationToken cancellationToken = default)
    {
        await EnsureServableAsync(version, cancellationToken).ConfigureAwait(false);
        var pointer = new CurrentModel(version, timeProvider.GetUtcNow(), pinned, reason);
        await blobs.PutAsync(PointerName, Json.ToUtf8(pointer), overwrite: true, cancellationToken).ConfigureAwait(false);
        _checkedAt = DateTimeOffset.MinValue;
        return pointer;
    }

    public static string PlacementPointerNameOf(string algorithm) => $"{PlacementFolder}{algorithm}.json";

    /// <summary>Points the placements that name <paramref name="algorithm"/> at <paramref name="version"/> (one of that algorithm's versions).</summary>
    public async Task<CurrentModel> PointPlacementsAsync(string algorithm, string version, string reason, CancellationToken cancellationToken = default)
    {
        var manifest = await EnsureServableAsync(version, cancellationToken).ConfigureAwait(false);
        if (manifest.Algorithm != algorithm)
        {
            throw new ArgumentException($"model version '{version}' was trained with {manifest.Algorithm}, not {algorithm}", nameof(version));
        }

        var pointer = new CurrentModel(version, timeProvider.GetUtcNow(), Pinned: false, reason);
        await blobs.PutAsync(PlacementPointerNameOf(algorithm), Json.ToUtf8(pointer), overwrite: true, cancellationToken).ConfigureAwait(false);
        _byAlgorithm.TryRemove(algorithm, out _);
        return pointer;
    }

    public async Task<CurrentModel?> GetPlacementPointerAsync(string algorithm, CancellationToken cancellationToken = default) =>
        await blobs.GetAsync(PlacementPointerNameOf(algorithm), cancellationToken).ConfigureAwait(false) is { } blob ? Json.FromUtf8<CurrentModel>(blob.Content) : null;

    /// <summary>
    /// The model serving the placements that name <paramref name="algorithm"/>: the version its
    /// pointer names, or null when there is none yet or it was trained before the latest erasure —
    /// then those placements serve the current model. Cached like the current model.
    /// </summary>
    public async Task<ItemSimilarityModel?> GetForPlacementsAsync(string algorithm, CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        if (_byAlgorithm.TryGetValue(algorithm, out var cached) && now - cached.CheckedAt < RefreshInterval)
        {
            return cached.Model;
        }

        ItemSimilarityModel? model = null;
        if (await GetPlacementPointerAsync(algorithm, cancellationToken).ConfigureAwait(false) is { } pointer
            && await GetManifestAsync(pointer.Version, cancellationToken).ConfigureAwait(false) is { } manifest
            && !(await LastErasureAsync(cancellationToken).ConfigureAwait(false) is { } erasedAt && manifest.TrainedAt < erasedAt))
        {
            model = cached.Model?.Version == pointer.Version ? cached.Model : await GetVersionAsync(pointer.Version, cancellationToken).ConfigureAwait(false);
        }

        _byAlgorithm[algorithm] = (model, now);
        return model;
    }

    /// <summary>The version's manifest, when it exists and was not trained before the latest erasure.</summary>
    private async Task<ModelManifest> EnsureServableAsync(string version, CancellationToken cancellationToken)
    {
        var manifest = await GetManifestAsync(version, cancellationToken).ConfigureAwait(false)
            ?? throw new KeyNotFoundException($"model version '{version}' does not exist");
        if (await LastErasureAsync(cancellationToken).ConfigureAwait(false) is { } erasedAt && manifest.TrainedAt < erasedAt)
        {
            throw new ModelVersionUnavailableException($"model version '{version}' was trained before an erasure completed at {erasedAt:O} and may hold the erased customer's contribution");
        }

        return manifest;
    }

    /// <summary>Saves a new version and serves it at once (training without a gate, the local seed, erasure).</summary>
    public async Task PromoteAsync(ItemSimilarityModel model, CancellationToken cancellationToken = default)
    {
        await SaveAsync(model, ManifestOf(model, "item-item-jaccard", "promoted", "direct"), cancellationToken).ConfigureAwait(false);
        await PointToAsync(model.Version, "promoted", pinned: false, cancellationToken).ConfigureAwait(false);
        _current = model;
        _checkedAt = timeProvider.GetUtcNow();
    }

    public static ModelManifest ManifestOf(ItemSimilarityModel model, string algorithm, string decision, string origin,
        IReadOnlyDictionary<string, double>? metrics = null, IReadOnlyDictionary<string, double>? baseline = null) => new()
    {
        Version = model.Version,
        Algorithm = algorithm,
        TrainedAt = model.TrainedAt,
        EventCount = model.EventCount,
        CustomerCount = model.CustomerCount,
        ItemCount = model.Neighbors.Count,
        Metrics = metrics ?? new Dictionary<string, double>(),
        BaselineMetrics = baseline,
        Decision = decision,
        Origin = origin,
        EventWeights = model.EventWeights,
    };

    public async Task<CurrentModel?> GetPointerAsync(CancellationToken cancellationToken = default) =>
        await blobs.GetAsync(PointerName, cancellationToken).ConfigureAwait(false) is { } blob ? Json.FromUtf8<CurrentModel>(blob.Content) : null;

    public async Task<ModelManifest?> GetManifestAsync(string version, CancellationToken cancellationToken = default) =>
        await blobs.GetAsync(ManifestNameOf(version), cancellationToken).ConfigureAwait(false) is { } blob ? Json.FromUtf8<ModelManifest>(blob.Content) : null;

    public async Task<ItemSimilarityModel?> GetVersionAsync(string version, CancellationToken cancellationToken = default) =>
        await blobs.GetAsync(BlobNameOf(version), cancellationToken).ConfigureAwait(false) is { } blob ? Json.FromUtf8<ItemSimilarityModel>(blob.Content) : null;

    /// <summary>Every version's manifest, newest first.</summary>
    public async Task<IReadOnlyList<ModelManifest>> ListAsync(CancellationToken cancellationToken = default)
    {
        var manifests = new List<ModelManifest>();
        await foreach (var item in blobs.ListAsync(Folder, cancellationToken).ConfigureAwait(false))
        {
            if (item.Name.EndsWith(ManifestSuffix, StringComparison.Ordinal) && await blobs.GetAsync(item.Name, cancellationToken).ConfigureAwait(false) is { } blob)
            {
                manifests.Add(Json.FromUtf8<ModelManifest>(blob.Content));
            }
        }

        return manifests.OrderByDescending(m => m.TrainedAt).ThenByDescending(m => m.Version, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Deletes the model of every version trained before <paramref name="at"/> (an erasure: those may
    /// hold the erased customer's contribution and can never be served again); their manifests, with
    /// the metrics, stay. Returns how many models went.
    /// </summary>
    public async Task<int> DeleteVersionsTrainedBeforeAsync(DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var deleted = 0;
        foreach (var manifest in await ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (manifest.TrainedAt < at && await blobs.DeleteAsync(BlobNameOf(manifest.Version), cancellationToken).ConfigureAwait(false))
            {
                deleted++;
            }
        }

        return deleted;
    }

    /// <summary>Records that an erasure completed: no version trained before now may be served again.</summary>
    public Task RecordErasureAsync(DateTimeOffset at, CancellationToken cancellationToken = default) =>
        blobs.PutAsync(ErasureMarkName, Json.ToUtf8(new ErasureMark(at)), overwrite: true, cancellationToken);

    public async Task<DateTimeOffset?> LastErasureAsync(CancellationToken cancellationToken = default) =>
        await blobs.GetAsync(ErasureMarkName, cancellationToken).ConfigureAwait(false) is { } blob ? Json.FromUtf8<ErasureMark>(blob.Content).At : null;

    /// <summary>The model being served (<see cref="ItemSimilarityModel.Empty"/> before the first training).</summary>
    public async Task<ItemSimilarityModel> GetCurrentAsync(CancellationToken cancellationToken = default)
    {
        if (timeProvider.GetUtcNow() - _checkedAt < RefreshInterval)
        {
            return _current;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (timeProvider.GetUtcNow() - _checkedAt >= RefreshInterval)
            {
                if (await GetPointerAsync(cancellationToken).ConfigureAwait(false) is { } pointer && pointer.Version != _current.Version
                    && await GetVersionAsync(pointer.Version, cancellationToken).ConfigureAwait(false) is { } model)
                {
                    _current = model;
                }

                _checkedAt = timeProvider.GetUtcNow();
            }
        }
        finally
        {
            _gate.Release();
        }

        return _current;
    }
}
