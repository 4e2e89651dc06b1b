namespace Recommender.Domain.Ports.Storage;

/// <summary>
/// A well-formed queue message that can never do anything (it names an erasure request or a training
/// run that does not exist): retrying cannot help, so the dispatcher dead-letters it with this reason
/// instead of letting it vanish. A message that has nothing left to do because its work was done
/// (a redelivery, a stale timer) is not this: its handler logs why and returns.
/// </summary>
public sealed class UnactionableMessageException(string message) : Exception(message);
