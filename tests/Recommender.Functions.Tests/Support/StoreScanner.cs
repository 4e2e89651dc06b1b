using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Azure.Cosmos;
using Microsoft.Data.Sqlite;
using Recommender.Adapters.Azure;
using Recommender.Adapters.Embedded;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Functions.Tests;

/// <summary>What a store holds at one place: <see cref="Store"/> is documents, blobs or queues; <see cref="Location"/> names the record (collection/partition/id, blob name, queue/message).</summary>
public sealed record StoredRecord(string Store, string Location, string Text)
{
    public const string Documents = "documents";
    public const string Blobs = "blobs";
    public const string Queues = "queues";
}

/// <summary>
/// Reads everything an adapter set holds, raw and below the ports: every document (expired ones
/// too), every blob (gzip decompressed, every file of the blob folder), every queue message
/// (delayed and leased ones too, where the store can show them).
/// </summary>
public interface IStoreScanner
{
    IAsyncEnumerable<StoredRecord> ReadAllAsync(CancellationToken cancellationToken = default);
}

/// <summary>The embedded adapters: the SQLite tables and the blob folder, read directly.</summary>
public sealed class EmbeddedStoreScanner(EmbeddedOptions options) : IStoreScanner
{
    public async IAsyncEnumerable<StoredRecord> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using (var connection = new SqliteConnection($"Data Source={options.DatabasePath};Mode=ReadOnly"))
        {
            await connection.OpenAsync(cancellationToken);
            foreach (var (store, sql) in new[]
            {
                (StoredRecord.Documents, "SELECT collection || '/' || pk || '/' || id, body FROM documents;"),
                (StoredRecord.Queues, "SELECT queue || '/' || id, body FROM queue_messages;"),
            })
            {
                await using var command = connection.CreateCommand();
                // A table is created on first use (no message ever queued: no queue table).
                command.CommandText = $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{sql.Split(' ')[^1].TrimEnd(';')}';";
                if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 0)
                {
                    continue;
                }

                command.CommandText = sql;
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    yield return new StoredRecord(store, reader.GetString(0), reader.GetString(1));
                }
            }
        }

        foreach (var file in Directory.EnumerateFiles(options.BlobsDirectory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var name = Path.GetRelativePath(options.BlobsDirectory, file).Replace('\\', '/');
            yield return new StoredRecord(StoredRecord.Blobs, name, StoreScanning.Text(await File.ReadAllBytesAsync(file, cancellationToken)));
        }
    }
}

/// <summary>
/// The Azure adapters on the local stand-ins: every document of every container (read feed), every
/// blob of the app's container, and the queue messages Azurite lets anyone see — visible ones
/// (peek); a delayed or leased message cannot be read by anyone but its receiver, in Azure too.
/// </summary>
public sealed class AzureStoreScanner(CosmosClient cosmos, AzureOptions options, BlobContainerClient blobs, QueueServiceClient queues) : IStoreScanner
{
    public async IAsyncEnumerable<StoredRecord> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var collection in Collections.All)
        {
            using var feed = cosmos.GetContainer(options.CosmosDatabase, collection).GetItemQueryStreamIterator(queryDefinition: null);
            while (feed.HasMoreResults)
            {
                using var page = await feed.ReadNextAsync(cancellationToken);
                page.EnsureSuccessStatusCode();
                using var json = await JsonDocument.ParseAsync(page.Content, cancellationToken: cancellationToken);
                foreach (var document in json.RootElement.GetProperty("Documents").EnumerateArray())
                {
                    yield return new StoredRecord(StoredRecord.Documents, $"{collection}/{document.GetProperty("pk")}/{document.GetProperty("id")}", document.GetRawText());
                }
            }
        }

        await foreach (var blob in blobs.GetBlobsAsync(cancellationToken: cancellationToken))
        {
            var content = await blobs.GetBlobClient(blob.Name).DownloadContentAsync(cancellationToken);
            yield return new StoredRecord(StoredRecord.Blobs, blob.Name, StoreScanning.Text(content.Value.Content.ToArray()));
        }

        foreach (var queue in Domain.Ports.Storage.Queues.All.SelectMany(q => new[] { q, q + "-poison" }))
        {
            var client = queues.GetQueueClient(queue);
            if (!await client.ExistsAsync(cancellationToken))
            {
                continue;
            }

            foreach (var message in (await client.PeekMessagesAsync(32, cancellationToken)).Value)
            {
                yield return new StoredRecord(StoredRecord.Queues, $"{queue}/{message.MessageId}", message.Body.ToString());
            }
        }
    }
}

public static class StoreScanning
{
    /// <summary>The text of stored bytes: gzip is decompressed (the event archive), everything else read as UTF-8.</summary>
    public static string Text(byte[] bytes)
    {
        if (bytes is [0x1f, 0x8b, ..])
        {
            using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var reader = new StreamReader(gzip, Encoding.UTF8);
            return reader.ReadToEnd();
        }

        return Encoding.UTF8.GetString(bytes);
    }
}
