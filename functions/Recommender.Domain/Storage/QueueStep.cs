namespace Recommender.Domain.Storage;

/// <summary>
/// A workflow's own queue step: the queue of the registry it reads (<c>Storage/queues.json</c>), when a message is
/// complete, and what a message runs. A class of the domain assembly that implements it is found and registered
/// by <see cref="QueueHandlers.AddQueueHandlers"/> (and itself registered as a singleton if it is not already),
/// so adding a workflow needs no line elsewhere. <see cref="Workflows.TimerWorkflow{TState, TTimer}"/> provides
/// <see cref="IsComplete"/>; a timer workflow declares <see cref="Queue"/> and maps <see cref="RunAsync"/> to its wake.
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
