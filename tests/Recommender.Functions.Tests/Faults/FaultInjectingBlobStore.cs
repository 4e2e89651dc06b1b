using System.Runtime.CompilerServices;
using Recommender.Domain.Ports;

namespace Recommender.Functions.Tests.Faults;

/// <summary>An <see cref="IBlobStore"/> that dies when <see cref="FaultInjector"/> says so.</summary>
public sealed class FaultInjectingBlobStore(IBlobStore inner, FaultInjector faults) : IBlobStore
{
    public Task<string> PutAsync(string name, ReadOnlyMemory<byte> content, bool overwrite = true, CancellationToken cancellationToken = default) =>
        faults.MutateAsync($"put blob {name}", () => inner.PutAsync(name, content, overwrite, cancellationToken));

    public Task<string> ReplaceAsync(string name, ReadOnlyMemory<byte> content, string ifMatchETag, CancellationToken cancellationToken = default) =>
        faults.MutateAsync($"replace blob {name}", () => inner.ReplaceAsync(name, content, ifMatchETag, cancellationToken));

    public Task<(byte[] Content, string ETag)?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        faults.ThrowIfDown();
        return inner.GetAsync(name, cancellationToken);
    }

    public async IAsyncEnumerable<BlobItem> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        faults.ThrowIfDown();
        await foreach (var item in inner.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default) =>
        faults.MutateAsync($"delete blob {name}", () => inner.DeleteAsync(name, cancellationToken));
}
