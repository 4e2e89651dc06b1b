namespace Recommender.Domain.Ports.Storage;

/// <summary>
/// A class's own queue step: the queue of the registry it reads (<c>Ports/Storage/queues.json</c>), when a message is
/// complete, and what a message runs. A class of the domain assembly that implements it is found and registered
/// by <see cref="QueueHandlers.AddQueueHandlers"/> (and itself registered as a singleton if it is not already),
/// so adding a workflow needs no line elsewhere. <see cref="Queue"/> is the one place in C# that names the queue:
/// code that sends to it reads it there (<c>CartAbandonmentWorkflow.Queue</c>), and no list of constants repeats it.
/// <see cref="Workflows.TimerWorkflow{TState, TTimer}"/> provides <see cref="IsComplete"/>; a timer workflow declares
/// <see cref="Queue"/> and maps <see cref="RunAsync"/> to its wake. The services that read a queue without being
/// timer workflows (erasure tasks, cache refresh, training, delivery) implement all three themselves.
/// </summary>
public interface IQueueStep<TMessage>
{
    /// <summary>The queue the step reads: a name of the registry (read without constructing the step, for the start-up check).</summary>
    static abstract string Queue { get; }

    /// <summary>Whether <paramref name="message"/> is complete; an incomplete one is dead-lettered.</summary>
    bool IsComplete(TMessage message);

    /// <summary>Runs the step <paramref name="message"/> wakes.</summary>
    Task RunAsync(TMessage message, CancellationToken cancellationToken);
}
