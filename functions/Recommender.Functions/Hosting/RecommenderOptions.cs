using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

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

    /// <summary>The most <see cref="RenderedItemsMegabytes"/> may be.</summary>
    public const int MaxRenderedItemsMegabytes = 4096;

    /// <value>
    /// The memory the HTTP layer may keep kept answers' written items in (<c>Endpoints.RenderedItems</c>), allocated
    /// 4 MB at a time as it first fills, then reused oldest first; 0 writes every answer's items each time. Default 256:
    /// 100,000 customers' ten-item home answers (~2.2 KB each).
    /// </value>
    [Range(0, MaxRenderedItemsMegabytes)]
    public int RenderedItemsMegabytes { get; set; } = 256;
}

/// <summary>
/// Validates <see cref="RecommenderOptions"/> (source-generated over its data annotations, as every options class): run
/// by hand when the section is read, since the adapters are chosen from it before the container exists.
/// </summary>
[OptionsValidator]
public sealed partial class RecommenderOptionsValidator : IValidateOptions<RecommenderOptions>;
