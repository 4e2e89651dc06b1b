namespace Recommender.Adapters.Embedded;

/// <summary>Where the embedded adapters keep their data, and how much the document store keeps in memory.</summary>
public sealed class EmbeddedOptions
{
    /// <summary>Configuration section of the settings other than the data folder.</summary>
    public const string Section = "Recommender:Embedded";

    /// <summary>Default of <see cref="DocumentCacheEntries"/>.</summary>
    public const int DefaultDocumentCacheEntries = 100_000;

    /// <summary>File name of the SQLite database (documents and queues) inside <see cref="DataDirectory"/>.</summary>
    public const string DatabaseFileName = "recommender.db";

    /// <summary>Folder of the blobs inside <see cref="DataDirectory"/>.</summary>
    public const string BlobsFolderName = "blobs";

    /// <summary>
    /// <value>The folder holding <c>recommender.db</c> and <c>blobs/</c>; created if missing.</value>
    /// </summary>
    public string DataDirectory { get; set; } = ".data";

    /// <summary>
    /// <value>
    /// How many deserialized documents the document store keeps in memory for the reads that may
    /// share them (customers' cached lists on the serving path); 0 turns the cache off. The cache is
    /// exact only for the database file's one writer, so with it on no other process (or store) may
    /// open the same data folder. Default 100,000.
    /// </value>
    /// </summary>
    public int DocumentCacheEntries { get; set; } = DefaultDocumentCacheEntries;

    /// <summary>Full path of the SQLite database file.</summary>
    public string DatabasePath => Path.Combine(DataDirectory, DatabaseFileName);

    /// <summary>Full path of the blob root folder.</summary>
    public string BlobsDirectory => Path.Combine(DataDirectory, BlobsFolderName);
}
