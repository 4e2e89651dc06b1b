namespace Recommender.Domain.Ports;

/// <summary>
/// Marks the storage reads of the current asynchronous flow as made on the storefront's serving path,
/// where an answer now matters more than an answer eventually: an adapter that can gives them a short
/// retry budget (the caller degrades instead of waiting out a throttling storm), the others ignore it.
/// The recommendations route enters it around one request; background work never does, so ingestion,
/// workflows and training keep the long budgets. Writes are never affected.
/// </summary>
/// <remarks>
/// The mark flows with the <see cref="ExecutionContext"/> (an <see cref="AsyncLocal{T}"/>): into every
/// call awaited inside the scope, and into work started from it (a cache load the request begins is
/// read on the short budget too).
/// </remarks>
public static class ServingPath
{
    private static readonly AsyncLocal<bool> Active = new();

    /// <summary>True inside <see cref="Enter"/> on this flow.</summary>
    public static bool IsActive => Active.Value;

    /// <summary>Marks the flow until the returned scope is disposed (then the previous mark is restored).</summary>
    public static Scope Enter()
    {
        var previous = Active.Value;
        Active.Value = true;
        return new Scope(previous);
    }

    /// <summary>Restores the mark that held before <see cref="Enter"/>.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly bool _previous;

        internal Scope(bool previous) => _previous = previous;

        public void Dispose() => Active.Value = _previous;
    }
}
