namespace Recommender.Functions.Hosting;

/// <summary>Which adapter set backs the ports.</summary>
public enum StorageMode
{
    /// <summary>SQLite and the file system under <see cref="RecommenderOptions.DataDirectory"/>: nothing to install.</summary>
    Embedded,
    /// <summary>Cosmos DB, Blob Storage and Storage queues (section <c>Recommender:Azure</c>).</summary>
    Azure,
}

/// <summary>Configuration section <c>Recommender</c>.</summary>
public sealed class RecommenderOptions
{
    public const string Section = "Recommender";
    /// <value>The adapter set. Default <see cref="StorageMode.Embedded"/>.</value>
    public StorageMode Mode { get; set; } = StorageMode.Embedded;
    /// <value>Embedded mode's data folder; relative paths are under the content root. Default <c>.data</c>.</value>
    public string DataDirectory { get; set; } = ".data";
}
