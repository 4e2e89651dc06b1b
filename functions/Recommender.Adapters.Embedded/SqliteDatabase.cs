using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace Recommender.Adapters.Embedded;

/// <summary>
/// Opens connections to one SQLite file, shared by the document store and the work queue.
/// Write-ahead logging lets readers proceed while one writer writes; every statement the
/// adapters issue is a single atomic statement, so no explicit transactions are needed, and
/// <c>busy_timeout</c> makes a writer wait (rather than fail) while another holds the lock.
/// A connection per operation (pooled by Microsoft.Data.Sqlite) keeps this safe across threads.
/// </summary>
internal sealed class SqliteDatabase
{
    private const int BusyTimeoutMilliseconds = 30_000;

    private readonly string _connectionString;

    /// <summary>The native connections (reused by the pool across opens) that already have their per-connection settings.</summary>
    private readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> _configured = [];

    /// <param name="migrate">Runs after <paramref name="schema"/> on the same connection: upgrades a file an older version created.</param>
    public SqliteDatabase(string databasePath, string schema, Action<SqliteConnection>? migrate = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        var fullPath = Path.GetFullPath(databasePath);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = BusyTimeoutMilliseconds / 1000,
        }.ToString();

        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=WAL;");
        Execute(connection, $"PRAGMA busy_timeout={BusyTimeoutMilliseconds}; PRAGMA secure_delete=ON;");
        Execute(connection, schema);
        migrate?.Invoke(connection);
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            // Per-connection settings, once per native connection: a pooled one keeps them.
            if (connection.Handle is { } handle && !_configured.TryGetValue(handle, out _))
            {
                await using var command = connection.CreateCommand();
                // secure_delete: a deleted row is overwritten with zeros, so an erased customer is not left readable in free pages.
                command.CommandText = $"PRAGMA busy_timeout={BusyTimeoutMilliseconds}; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;";
                await command.ExecuteNonQueryAsync(cancellationToken);
                _configured.AddOrUpdate(handle, this);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
