using Recommender.Domain.Ports;
using Recommender.Domain.Storage;

namespace Recommender.Domain.Recommendations;

/// <summary>The pointer to the model version being served.</summary>
public sealed record CurrentModel(string Version, DateTimeOffset PromotedAt);

/// <summary>
/// Versioned, immutable models in blob storage (<c>models/item-item/{version}.json</c>) with a
/// <c>current.json</c> pointer; the served model is cached in memory and the pointer re-checked
/// at most every <see cref="RefreshInterval"/>.
/// </summary>
public sealed class ModelStore(IBlobStore blobs, TimeProvider timeProvider)
{
    public const string Folder = BlobPrefixes.Models + "item-item/";
    public const string PointerName = Folder + "current.json";
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private ItemSimilarityModel _current = ItemSimilarityModel.Empty;
    private DateTimeOffset _checkedAt = DateTimeOffset.MinValue;

    public static string BlobNameOf(string version) => $"{Folder}{version}.json";

    /// <summary>Writes a new version (never overwriting one) and points serving at it.</summary>
    public async Task PromoteAsync(ItemSimilarityModel model, CancellationToken cancellationToken = default)
    {
        await blobs.PutAsync(BlobNameOf(model.Version), Json.ToUtf8(model), overwrite: false, cancellationToken).ConfigureAwait(false);
        var pointer = new CurrentModel(model.Version, timeProvider.GetUtcNow());
        await blobs.PutAsync(PointerName, Json.ToUtf8(pointer), overwrite: true, cancellationToken).ConfigureAwait(false);
        _current = model;
        _checkedAt = timeProvider.GetUtcNow();
    }

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
                var pointerBlob = await blobs.GetAsync(PointerName, cancellationToken).ConfigureAwait(false);
                if (pointerBlob is { } p)
                {
                    var pointer = Json.FromUtf8<CurrentModel>(p.Content);
                    if (pointer.Version != _current.Version && await blobs.GetAsync(BlobNameOf(pointer.Version), cancellationToken).ConfigureAwait(false) is { } m)
                    {
                        _current = Json.FromUtf8<ItemSimilarityModel>(m.Content);
                    }
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
