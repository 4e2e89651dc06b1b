namespace Recommender.Domain.Ports;

/// <summary>
/// How long one document lives, overriding its collection's default time-to-live
/// (<see cref="Storage.Collections.TimeToLive"/>) — Cosmos DB's per-item <c>ttl</c>: counted from the
/// document's last write; <see cref="Never"/> keeps it until deleted. As in Cosmos DB, an override only
/// applies in a collection that has a time-to-live; in one without, documents never expire anyway.
/// Every write states it again (a write without an override returns the document to the collection's default).
/// </summary>
public readonly record struct DocumentTimeToLive
{
    private DocumentTimeToLive(int seconds) => Seconds = seconds;

    /// <summary>The collection's default (no override; the <c>default</c> value).</summary>
    public static DocumentTimeToLive CollectionDefault => default;

    /// <summary>Never expires (Cosmos DB <c>ttl = -1</c>); only deletion removes it.</summary>
    public static DocumentTimeToLive Never => new(-1);

    /// <summary>Expires <paramref name="duration"/> (whole seconds, 1 s to <see cref="int.MaxValue"/> s) after its last write.</summary>
    public static DocumentTimeToLive After(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.FromSeconds(1));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(duration, TimeSpan.FromSeconds(int.MaxValue));
        return new((int)duration.TotalSeconds);
    }

    /// <summary>The item's <c>ttl</c> as Cosmos DB takes it: seconds, <c>-1</c> for never, <c>null</c> for the collection's default.</summary>
    public int? Seconds { get; }

    public bool IsOverride => Seconds is not null;
}
