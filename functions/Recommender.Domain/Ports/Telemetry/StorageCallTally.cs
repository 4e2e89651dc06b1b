namespace Recommender.Domain.Ports.Telemetry;

/// <summary>
/// The storage calls (<see cref="StorageMetering"/>) made by one piece of work: from <see cref="Start"/>
/// until disposed, every call counted on this asynchronous flow — and on the flows it starts (the mark
/// flows with the <see cref="ExecutionContext"/>, as <see cref="Ports.ServingPath"/> does) — adds one to
/// <see cref="Calls"/>, and to the tallies it is nested in. Other work running meanwhile (another batch,
/// a timer) counts on its own tallies, not on this one. Ingestion reports its batches' calls with it
/// (<see cref="Ingestion.IngestionResult.StoreOperations"/>).
/// </summary>
public sealed class StorageCallTally : IDisposable
{
    private static readonly AsyncLocal<StorageCallTally?> Current = new();

    private readonly StorageCallTally? _outer;
    private long _calls;

    private StorageCallTally(StorageCallTally? outer) => _outer = outer;

    /// <summary>The calls counted so far.</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Starts counting this flow's calls, until the tally is disposed.</summary>
    public static StorageCallTally Start()
    {
        var tally = new StorageCallTally(Current.Value);
        Current.Value = tally;
        return tally;
    }

    internal static void Record()
    {
        for (var tally = Current.Value; tally is not null; tally = tally._outer)
        {
            Interlocked.Increment(ref tally._calls);
        }
    }

    /// <summary>Stops counting: the flow's calls go to the enclosing tally again, if any.</summary>
    public void Dispose()
    {
        if (ReferenceEquals(Current.Value, this))
        {
            Current.Value = _outer;
        }
    }
}
