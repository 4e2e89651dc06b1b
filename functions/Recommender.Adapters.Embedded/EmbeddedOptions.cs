namespace Recommender.Adapters.Embedded;

/// <summary>Where the embedded adapters keep their data.</summary>
public sealed class EmbeddedOptions
{
    /// <summary>File name of the SQLite database (documents and queues) inside <see cref="DataDirectory"/>.</summary>
    public const string DatabaseFileName = "recommender.db";

    /// <summary>Folder of the blobs inside <see cref="DataDirectory"/>.</summary>
    public const string BlobsFolderName = "blobs";

    /// <summary>
    /// <value>The folder holding <c>recommender.db</c> and <c>blobs/</c>; created if missing.</value>
    /// </summary>
    public string DataDirectory { get; set; } = ".data";

    /// <summary>Full path of the SQLite database file.</summary>
    public string DatabasePath => Path.Combine(DataDirectory, DatabaseFileName);

    /// <summary>Full path of the blob root folder.</summary>
    public string BlobsDirectory => Path.Combine(DataDirectory, BlobsFolderName);
}
