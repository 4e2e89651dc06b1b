using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Recommender.Domain.Ports;
using BlobItem = Recommender.Domain.Ports.BlobItem;

namespace Recommender.Adapters.Azure;

/// <summary>
/// <see cref="IBlobStore"/> over one blob container. Conditional writes use the service's
/// preconditions (<c>If-None-Match: *</c> for create-only, <c>If-Match</c> for replace); 409 and 412
/// (and 404 on replace) map to <see cref="DocumentConflictException"/>, except when the blob carries
/// this call's write id (metadata <c>writeid</c>, unique per upload): then an earlier attempt of this
/// same call applied and its answer was lost (Azure.Core retried it; see <see cref="AzureClients"/> for
/// the retry settings), and the call succeeds with the blob's ETag.
/// </summary>
public sealed class BlobStorageStore : IBlobStore
{
    private readonly BlobContainerClient _container;

    /// <summary>Stores blobs in <paramref name="container"/>.</summary>
    public BlobStorageStore(BlobContainerClient container)
    {
        ArgumentNullException.ThrowIfNull(container);
        _container = container;
    }

    /// <inheritdoc />
    public async Task<string> PutAsync(string name, ReadOnlyMemory<byte> content, bool overwrite = true, CancellationToken cancellationToken = default)
    {
        var writeId = NewWriteId();
        var options = new BlobUploadOptions
        {
            Conditions = overwrite ? null : new BlobRequestConditions { IfNoneMatch = ETag.All },
            Metadata = new Dictionary<string, string> { [WriteIdMetadata] = writeId },
        };
        try
        {
            var response = await Blob(name).UploadAsync(BinaryData.FromBytes(content), options, cancellationToken);
            return Header(response.Value.ETag);
        }
        catch (RequestFailedException ex) when (StorageErrors.IsConflict(ex))
        {
            return await AppliedAsync(name, writeId, cancellationToken) ?? throw new DocumentConflictException($"Blob '{name}' already exists.", ex);
        }
    }

    /// <summary>The metadata key holding the id of the upload that wrote the blob.</summary>
    internal const string WriteIdMetadata = "writeid";

    private static string NewWriteId() => Guid.NewGuid().ToString("N");

    /// <summary>
    /// After 409/412 on a conditional upload: Azure.Core retries a request whose answer was lost (a
    /// timeout, a reset, a 503 after the write), and the retry then meets the write of the first
    /// attempt. Each upload carries a unique id in the blob's metadata: when the blob now carries this
    /// call's id, the write was this one and its ETag is returned; otherwise null (someone else's write).
    /// </summary>
    private async Task<string?> AppliedAsync(string name, string writeId, CancellationToken cancellationToken)
    {
        try
        {
            var properties = await Blob(name).GetPropertiesAsync(cancellationToken: cancellationToken);
            return properties.Value.Metadata.TryGetValue(WriteIdMetadata, out var id) && id == writeId ? Header(properties.Value.ETag) : null;
        }
        catch (RequestFailedException ex) when (StorageErrors.IsNotFound(ex))
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<string> ReplaceAsync(string name, ReadOnlyMemory<byte> content, string ifMatchETag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ifMatchETag);
        var writeId = NewWriteId();
        var options = new BlobUploadOptions
        {
            Conditions = new BlobRequestConditions { IfMatch = new ETag(ifMatchETag) },
            Metadata = new Dictionary<string, string> { [WriteIdMetadata] = writeId },
        };
        try
        {
            var response = await Blob(name).UploadAsync(BinaryData.FromBytes(content), options, cancellationToken);
            return Header(response.Value.ETag);
        }
        catch (RequestFailedException ex) when (StorageErrors.IsConflict(ex) || StorageErrors.IsNotFound(ex))
        {
            var applied = StorageErrors.IsConflict(ex) ? await AppliedAsync(name, writeId, cancellationToken) : null;
            return applied ?? throw new DocumentConflictException($"Blob '{name}' changed or does not exist.", ex);
        }
    }

    /// <inheritdoc />
    public async Task<(byte[] Content, string ETag)?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        try
        {
            var response = await Blob(name).DownloadContentAsync(cancellationToken);
            return (response.Value.Content.ToArray(), Header(response.Value.Details.ETag));
        }
        catch (RequestFailedException ex) when (StorageErrors.IsNotFound(ex))
        {
            return null;
        }
    }

    /// <inheritdoc />
    /// <remarks>The service lists in lexicographic name order.</remarks>
    public async IAsyncEnumerable<BlobItem> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var pages = _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix.Length == 0 ? null : prefix, cancellationToken);
        await foreach (var blob in pages)
        {
            var properties = blob.Properties;
            yield return new BlobItem(
                blob.Name,
                properties.ContentLength ?? 0,
                properties.LastModified ?? DateTimeOffset.MinValue,
                properties.ETag is { } etag ? Header(etag) : string.Empty);
        }
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        var response = await Blob(name).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken);
        return response.Value;
    }

    /// <summary>ETags in header form (quoted): uploads report them quoted, listings unquoted.</summary>
    private static string Header(ETag etag) => etag.ToString("H");

    private BlobClient Blob(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return _container.GetBlobClient(name);
    }
}
