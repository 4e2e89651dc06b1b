using Recommender.Domain.Ports;

namespace Recommender.Domain.Ports.Telemetry;

/// <summary>An <see cref="IBlobStore"/> that counts each call it passes on (<see cref="StorageMetering"/>); never a blob's name.</summary>
public sealed class MeteredBlobStore : IBlobStore, IMeteredPort, IDisposable, IAsyncDisposable
{
    private const string Port = StorageMetering.Ports.Blobs;
    private readonly bool _ownsInner;

    /// <param name="inner">The adapter.</param>
    /// <param name="ownsInner">Whether disposing this disposes <paramref name="inner"/> (the container created it).</param>
    public MeteredBlobStore(IBlobStore inner, bool ownsInner = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Inner = inner;
        _ownsInner = ownsInner;
    }

    /// <summary>The wrapped store.</summary>
    public IBlobStore Inner { get; }

    public Task<string> PutAsync(string name, ReadOnlyMemory<byte> content, bool overwrite = true, CancellationToken cancellationToken = default)
    {
        StorageMetering.Record(Port, "put");
        return Inner.PutAsync(name, content, overwrite, cancellationToken);
    }

    public Task<string> ReplaceAsync(string name, ReadOnlyMemory<byte> content, string ifMatchETag, CancellationToken cancellationToken = default)
    {
        StorageMetering.Record(Port, "replace");
        return Inner.ReplaceAsync(name, content, ifMatchETag, cancellationToken);
    }

    public Task<(byte[] Content, string ETag)?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        StorageMetering.Record(Port, "get");
        return Inner.GetAsync(name, cancellationToken);
    }

    public IAsyncEnumerable<BlobItem> ListAsync(string prefix, CancellationToken cancellationToken = default) =>
        StorageMetering.CountedWhenEnumerated(Inner.ListAsync(prefix, cancellationToken), Port, "list");

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        StorageMetering.Record(Port, "delete");
        return Inner.DeleteAsync(name, cancellationToken);
    }

    public void Dispose() => StorageMetering.DisposeOwned(Inner, _ownsInner);

    public ValueTask DisposeAsync() => StorageMetering.DisposeOwnedAsync(Inner, _ownsInner);
}
