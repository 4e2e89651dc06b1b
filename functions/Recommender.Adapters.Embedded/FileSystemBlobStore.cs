using System.Globalization;
using Recommender.Domain.Ports;

namespace Recommender.Adapters.Embedded;

/// <summary>
/// <see cref="IBlobStore"/> over a directory: blob <c>a/b/c.json</c> is the file
/// <c>{root}/a/b/c.json</c>. Names are checked by <see cref="BlobNames"/> (no <c>..</c>, no
/// backslashes, no empty segments, not rooted; <see cref="ArgumentException"/> otherwise).
/// </summary>
/// <remarks>
/// <para>Writes go to a temporary file in <c>{root}/.staging</c> and are renamed into place, so a
/// reader sees the old or the new content, never a torn file. Writes, replaces and deletes are
/// serialized by one lock per store instance, which makes <see cref="ReplaceAsync"/>'s
/// compare-and-swap correct under concurrency; use one instance per root directory.</para>
/// <para>The ETag is the file's last-write time and length. Every write stamps the file with a
/// time strictly later than any this instance issued before (and than the file's previous time),
/// taken from the <see cref="TimeProvider"/>, so the ETag changes on every write even when the
/// content does not.</para>
/// <para>Unlike a blob container, a name cannot be both a blob and a folder (<c>a</c> and <c>a/b</c>);
/// such a write throws <see cref="IOException"/>.</para>
/// </remarks>
public sealed class FileSystemBlobStore : IBlobStore, IDisposable
{
    private readonly string _root;
    private readonly string _staging;
    private readonly TimeProvider _timeProvider;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private DateTime _lastStamp = DateTime.MinValue;

    /// <summary>Stores blobs under <paramref name="rootDirectory"/> (created if missing).</summary>
    public FileSystemBlobStore(string rootDirectory, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootDirectory);
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rootDirectory));
        _staging = Path.Combine(_root, BlobNames.StagingFolder);
        _timeProvider = timeProvider ?? TimeProvider.System;
        Directory.CreateDirectory(_staging);
    }

    /// <inheritdoc />
    public async Task<string> PutAsync(string name, ReadOnlyMemory<byte> content, bool overwrite = true, CancellationToken cancellationToken = default)
    {
        var path = BlobNames.ToPath(_root, name);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            if (!overwrite && File.Exists(path))
            {
                throw new DocumentConflictException($"Blob '{name}' already exists.");
            }

            return await WriteAsync(path, content, cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <inheritdoc />
    public async Task<string> ReplaceAsync(string name, ReadOnlyMemory<byte> content, string ifMatchETag, CancellationToken cancellationToken = default)
    {
        var path = BlobNames.ToPath(_root, name);
        ArgumentNullException.ThrowIfNull(ifMatchETag);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            var current = new FileInfo(path);
            if (!current.Exists || ETagOf(current.LastWriteTimeUtc, current.Length) != ifMatchETag)
            {
                throw new DocumentConflictException($"Blob '{name}' changed or does not exist.");
            }

            return await WriteAsync(path, content, cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <inheritdoc />
    public async Task<(byte[] Content, string ETag)?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        var path = BlobNames.ToPath(_root, name);
        if (Directory.Exists(path))
        {
            return null; // a folder of other blobs, not a blob
        }

        FileStream stream;
        try
        {
            // FileShare.Delete: a concurrent write may rename a new file over this one meanwhile;
            // the open handle keeps reading the version whose metadata it reports.
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096, FileOptions.Asynchronous);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        await using (stream)
        {
            var lastWrite = File.GetLastWriteTimeUtc(stream.SafeFileHandle);
            var content = new byte[stream.Length];
            await stream.ReadExactlyAsync(content, cancellationToken);
            return (content, ETagOf(lastWrite, content.Length));
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<BlobItem> ListAsync(string prefix, CancellationToken cancellationToken = default)
    {
        BlobNames.ValidatePrefix(prefix);
        return List(prefix, cancellationToken).ToAsyncEnumerable();
    }

    /// <summary>The matching files, sorted by ordinal name once the folder walk is done.</summary>
    private IEnumerable<BlobItem> List(string prefix, CancellationToken cancellationToken)
    {
        var lastSlash = prefix.LastIndexOf('/');
        var start = lastSlash < 0 ? _root : Path.Combine([_root, .. prefix[..lastSlash].Split('/')]);
        if (!Directory.Exists(start))
        {
            yield break;
        }

        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };
        var items = new List<BlobItem>();
        foreach (var file in Directory.EnumerateFiles(start, "*", options))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (file.StartsWith(_staging + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                continue;
            }

            var name = BlobNames.FromPath(_root, file);
            if (!name.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var info = new FileInfo(file);
            if (!info.Exists)
            {
                continue; // deleted while listing
            }

            var lastWrite = info.LastWriteTimeUtc;
            items.Add(new BlobItem(name, info.Length, new DateTimeOffset(lastWrite, TimeSpan.Zero), ETagOf(lastWrite, info.Length)));
        }

        items.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (var item in items)
        {
            yield return item;
        }
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken = default)
    {
        var path = BlobNames.ToPath(_root, name);
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            if (!File.Exists(path))
            {
                return false;
            }

            File.Delete(path);
            PruneEmptyFolders(Path.GetDirectoryName(path)!);
            return true;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Releases the write lock.</summary>
    public void Dispose() => _writeLock.Dispose();

    private async Task<string> WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (Directory.Exists(path))
        {
            throw new IOException($"'{BlobNames.FromPath(_root, path)}' is a folder of other blobs.");
        }

        var temp = Path.Combine(_staging, Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(content, cancellationToken);
                stream.Flush(flushToDisk: true);
            }

            var stamp = StampNewVersion(temp, path);
            File.Move(temp, path, overwrite: true);
            return ETagOf(stamp, content.Length);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Sets a last-write time later than the file's previous one and any stamp issued before.</summary>
    private DateTime StampNewVersion(string temp, string path)
    {
        var previous = File.Exists(path) ? File.GetLastWriteTimeUtc(path) : DateTime.MinValue;
        var floor = previous > _lastStamp ? previous : _lastStamp;
        var now = _timeProvider.GetUtcNow().UtcDateTime;
        var candidate = now > floor ? now : floor.AddTicks(1);
        for (var step = TimeSpan.FromMilliseconds(1); ; step *= 10)
        {
            File.SetLastWriteTimeUtc(temp, candidate);
            var actual = File.GetLastWriteTimeUtc(temp); // what the file system kept (its resolution)
            if (actual > floor)
            {
                _lastStamp = actual;
                return actual;
            }

            if (step > TimeSpan.FromSeconds(10))
            {
                throw new IOException("The file system's timestamp resolution is too coarse to version blobs.");
            }

            candidate = floor + step;
        }
    }

    private void PruneEmptyFolders(string folder)
    {
        while (folder.Length > _root.Length && folder.StartsWith(_root, StringComparison.Ordinal) && !Directory.EnumerateFileSystemEntries(folder).Any())
        {
            Directory.Delete(folder);
            folder = Path.GetDirectoryName(folder)!;
        }
    }

    private static string ETagOf(DateTime lastWriteUtc, long length) =>
        string.Create(CultureInfo.InvariantCulture, $"\"{lastWriteUtc.Ticks:x}-{length:x}\"");
}
