using System.Runtime.CompilerServices;
using Recommender.Domain.Ports;
using Recommender.Domain.Privacy;

namespace Recommender.Adapters.Azure;

/// <summary>
/// One <see cref="IBlobStore"/> over two containers: blobs under <see cref="AuditLog.Prefix"/> live in
/// the audit container (<see cref="AzureOptions.AuditContainer"/>: write once, a time-based
/// immutability policy and a role condition that denies the app deletes there — infra/modules/storage.bicep
/// and access.bicep), everything else in the data container. Names are the same in both; a listing
/// that spans both merges them in name order.
/// </summary>
public sealed class AuditRoutingBlobStore : IBlobStore
{
    private readonly IBlobStore _data;
    private readonly IBlobStore _audit;

    /// <summary>Routes <c>audit/</c> names to <paramref name="audit"/>, the rest to <paramref name="data"/>.</summary>
    public AuditRoutingBlobStore(IBlobStore data, IBlobStore audit)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(audit);
        _data = data;
        _audit = audit;
    }

    private IBlobStore For(string name) => name.StartsWith(AuditLog.Prefix, StringComparison.Ordinal) ? _audit : _data;

    /// <inheritdoc />
    public Task<string> PutAsync(string name, ReadOnlyMemory<byte> content, bool overwrite = true, CancellationToken cancellationToken = default) =>
        For(name).PutAsync(name, content, overwrite, cancellationToken);

    /// <inheritdoc />
    public Task<string> ReplaceAsync(string name, ReadOnlyMemory<byte> content, string ifMatchETag, CancellationToken cancellationToken = default) =>
        For(name).ReplaceAsync(name, content, ifMatchETag, cancellationToken);

    /// <inheritdoc />
    public Task<(byte[] Content, string ETag)?> GetAsync(string name, CancellationToken cancellationToken = default) =>
        For(name).GetAsync(name, cancellationToken);

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default) =>
        For(name).DeleteAsync(name, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<BlobItem> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.StartsWith(AuditLog.Prefix, StringComparison.Ordinal))
        {
            return _audit.ListAsync(prefix, cancellationToken);
        }

        // A prefix shorter than "audit/" that it starts with ("", "a", "aud") spans both containers.
        return AuditLog.Prefix.StartsWith(prefix, StringComparison.Ordinal)
            ? MergeAsync(_data.ListAsync(prefix, cancellationToken), _audit.ListAsync(prefix, cancellationToken), cancellationToken)
            : _data.ListAsync(prefix, cancellationToken);
    }

    private static async IAsyncEnumerable<BlobItem> MergeAsync(IAsyncEnumerable<BlobItem> first, IAsyncEnumerable<BlobItem> second,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var a = first.GetAsyncEnumerator(cancellationToken);
        await using var b = second.GetAsyncEnumerator(cancellationToken);
        var hasA = await a.MoveNextAsync();
        var hasB = await b.MoveNextAsync();
        while (hasA || hasB)
        {
            if (hasA && (!hasB || string.CompareOrdinal(a.Current.Name, b.Current.Name) <= 0))
            {
                yield return a.Current;
                hasA = await a.MoveNextAsync();
            }
            else
            {
                yield return b.Current;
                hasB = await b.MoveNextAsync();
            }
        }
    }
}
