using Recommender.Domain.Ports;

namespace Recommender.Adapters.Embedded;

/// <summary>
/// <see cref="IWorkQueue"/> over SQLite: table <c>queue_messages(queue, id, body, visible_at,
/// dequeue_count, pop_receipt, inserted_at)</c>. Visibility and leases are computed from the
/// injected <see cref="TimeProvider"/>, so tests control time. Receiving is one atomic
/// <c>UPDATE ... RETURNING</c> that leases the messages and issues a new pop receipt.
/// </summary>
/// <remarks>
/// <see cref="DeleteAsync"/> deletes only while the message still carries the caller's pop
/// receipt. If the lease expired and someone else received the message since (new pop receipt),
/// or the message is already gone, the call is a silent no-op: the other holder now owns the
/// work, as with at-least-once delivery in Azure Storage queues.
/// </remarks>
public sealed class SqliteWorkQueue : IWorkQueue
{
    /// <summary>Most messages one receive can take (the Azure Storage queue limit).</summary>
    public const int MaxMessagesPerReceive = 32;

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS queue_messages (
            queue TEXT NOT NULL,
            id TEXT NOT NULL,
            body TEXT NOT NULL,
            visible_at INTEGER NOT NULL,
            dequeue_count INTEGER NOT NULL DEFAULT 0,
            pop_receipt TEXT NULL,
            inserted_at INTEGER NOT NULL,
            PRIMARY KEY (queue, id)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_queue_messages_visible ON queue_messages (queue, visible_at, inserted_at);
        """;

    private const string ReceiveSql = """
        UPDATE queue_messages
        SET visible_at = $leaseUntil,
            dequeue_count = dequeue_count + 1,
            pop_receipt = lower(hex(randomblob(16)))
        WHERE queue = $queue AND id IN (
            SELECT id FROM queue_messages
            WHERE queue = $queue AND visible_at <= $now
            ORDER BY visible_at, inserted_at
            LIMIT $max)
        RETURNING id, pop_receipt, body, dequeue_count, inserted_at;
        """;

    private readonly SqliteDatabase _database;
    private readonly TimeProvider _timeProvider;

    /// <summary>Opens (creating if needed) the queue table in the database file at <paramref name="databasePath"/>.</summary>
    public SqliteWorkQueue(string databasePath, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _database = new SqliteDatabase(databasePath, Schema);
        _timeProvider = timeProvider;
    }

    /// <inheritdoc />
    public async Task SendAsync(string queue, string body, TimeSpan delay = default, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        ArgumentNullException.ThrowIfNull(body);
        if (delay < TimeSpan.Zero || delay > IWorkQueue.MaxDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(delay), delay, $"The delay must be between zero and {IWorkQueue.MaxDelay}.");
        }

        var now = _timeProvider.GetUtcNow();
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO queue_messages (queue, id, body, visible_at, dequeue_count, pop_receipt, inserted_at)
            VALUES ($queue, $id, $body, $visibleAt, 0, NULL, $now);
            """;
        command.Parameters.AddWithValue("$queue", queue);
        command.Parameters.AddWithValue("$id", Guid.NewGuid().ToString("N"));
        command.Parameters.AddWithValue("$body", body);
        command.Parameters.AddWithValue("$visibleAt", (now + delay).UtcTicks);
        command.Parameters.AddWithValue("$now", now.UtcTicks);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<QueueMessage>> ReceiveAsync(string queue, int maxMessages, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMessages, MaxMessagesPerReceive);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lease, IWorkQueue.MaxDelay);

        var now = _timeProvider.GetUtcNow();
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = ReceiveSql;
        command.Parameters.AddWithValue("$queue", queue);
        command.Parameters.AddWithValue("$now", now.UtcTicks);
        command.Parameters.AddWithValue("$leaseUntil", (now + lease).UtcTicks);
        command.Parameters.AddWithValue("$max", maxMessages);

        var received = new List<(long InsertedAt, QueueMessage Message)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var message = new QueueMessage(queue, reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3));
                received.Add((reader.GetInt64(4), message));
            }
        }

        // RETURNING yields rows in no particular order; hand them out oldest first.
        return received.OrderBy(static r => r.InsertedAt).Select(static r => r.Message).ToList();
    }

    /// <inheritdoc />
    public async Task<long> ApproximateCountAsync(string queue, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM queue_messages WHERE queue = $queue;";
        command.Parameters.AddWithValue("$queue", queue);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    /// <remarks>No-op when the message is gone or was re-leased under a newer pop receipt.</remarks>
    public async Task DeleteAsync(QueueMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM queue_messages WHERE queue = $queue AND id = $id AND pop_receipt = $popReceipt;";
        command.Parameters.AddWithValue("$queue", message.Queue);
        command.Parameters.AddWithValue("$id", message.Id);
        command.Parameters.AddWithValue("$popReceipt", message.PopReceipt);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
