namespace Recommender.Domain.Ports;

public sealed record BlobItem(string Name, long Size, DateTimeOffset LastModified, string ETag);

/// <summary>
/// Named binary objects in one container: the raw event archive, dead letters, models and the
/// catalog snapshot. Names use '/' as a folder separator.
/// </summary>
public interface IBlobStore
{
    /// <summary>Writes a blob. With <paramref name="overwrite"/> false, throws <see cref="DocumentConflictException"/> if it exists.</summary>
    Task<string> PutAsync(string name, ReadOnlyMemory<byte> content, bool overwrite = true, CancellationToken cancellationToken = default);

    /// <summary>Replaces a blob only if it is still at <paramref name="ifMatchETag"/>; otherwise throws <see cref="DocumentConflictException"/>.</summary>
    Task<string> ReplaceAsync(string name, ReadOnlyMemory<byte> content, string ifMatchETag, CancellationToken cancellationToken = default);

    /// <summary>The blob's bytes and version, or <c>null</c> when it does not exist.</summary>
    Task<(byte[] Content, string ETag)?> GetAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Blobs whose names start with <paramref name="prefix"/>, in name order.</summary>
    IAsyncEnumerable<BlobItem> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>Deletes a blob; <c>false</c> when there was none.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default);
}
