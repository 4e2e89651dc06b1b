using System.Collections.Frozen;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Privacy;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Functions.Messaging;

/// <summary>The outcome of handling one queue message.</summary>
public enum DispatchOutcome
{
    Done,
    /// <summary>The message can never succeed (malformed, or naming what does not exist); it was dead-lettered with the reason.</summary>
    DeadLettered,
}

/// <summary>
/// Routes a queue message to its queue's handler (<see cref="IQueueHandler"/>, one per queue of the
/// <see cref="QueueRegistry"/>; built from the handlers registered in DI). Used by the queue-triggered function endpoints
/// (in Azure the host receives the message) and by the local queue pump (embedded mode).
/// A malformed message, or a well-formed one that could never do anything (<see cref="UnactionableMessageException"/>:
/// an erasure task for a request that does not exist), is dead-lettered with the reason, logged, and
/// reported done, since retrying it cannot help; a step that fails throws, so the queue redelivers it
/// and poisons it after the last attempt. A message with nothing left to do (a redelivery, a stale
/// timer) is logged by its step with why (Information), within a scope naming the queue and, for a sealed
/// timer, its customer's keyed reference (<see cref="TimerSeal.LogReferenceOf"/>; never a raw id); a sealed
/// timer whose customer was erased is logged here.
/// </summary>
public sealed partial class QueueDispatcher
{
    private readonly FrozenDictionary<string, IQueueHandler> _handlers;
    private readonly DeadLetters _deadLetters;
    private readonly TimeProvider _timeProvider;
    private readonly TimerSeal _timerSeal;
    private readonly ILogger<QueueDispatcher> _logger;

    /// <exception cref="InvalidOperationException">A queue of the registry has no handler, or more than one, or a handler reads a queue the registry does not declare.</exception>
    public QueueDispatcher(IEnumerable<IQueueHandler> handlers, DeadLetters deadLetters, TimeProvider timeProvider, TimerSeal timerSeal, ILogger<QueueDispatcher> logger)
    {
        ArgumentNullException.ThrowIfNull(handlers);
        _handlers = HandlersByQueue(handlers);
        _deadLetters = deadLetters;
        _timeProvider = timeProvider;
        _timerSeal = timerSeal;
        _logger = logger;
    }

    /// <summary>One handler per queue of the registry, and none for a queue it does not declare.</summary>
    internal static FrozenDictionary<string, IQueueHandler> HandlersByQueue(IEnumerable<IQueueHandler> handlers)
    {
        var list = handlers.ToList();
        var problems = QueueRegistry.Mismatches(list.Select(handler => handler.Queue));
        return problems.Count == 0
            ? list.ToFrozenDictionary(handler => handler.Queue, StringComparer.Ordinal)
            : throw new InvalidOperationException($"The queue handlers do not match the queue registry (Ports/Storage/queues.json): {string.Join("; ", problems)}.");
    }

    /// <param name="messageId">The queue message's own id (the host's metadata, the local queue's), named by its dead letter if it gets one.</param>
    private async Task<DispatchOutcome> DispatchStepAsync(string queue, string body, string? messageId, CancellationToken cancellationToken)
    {
        string? type = null; // the message type and the field a malformed message fails on: for the dead letter
        string? field = null;
        var isSealed = QueueRegistry.Find(queue)?.Sealed == true;
        var subject = isSealed ? TimerSeal.LogReferenceOf(body) : null;
        using var scope = _logger.BeginScope(new Dictionary<string, object?> { ["Queue"] = queue, ["SubjectRef"] = subject });
        try
        {
            if (isSealed)
            {
                // A timer of an erased customer opens to nothing (its key is gone): discarded, nothing to do.
                if (await _timerSeal.OpenAsync(queue, body, cancellationToken).ConfigureAwait(false) is not { } opened)
                {
                    LogShredded(_logger, queue, subject ?? "none");
                    return DispatchOutcome.Done;
                }

                body = opened;
            }

            var handler = _handlers.GetValueOrDefault(queue) ?? throw new MalformedQueueMessageException($"no handler for queue '{queue}'");
            type = handler.MessageType;
            await handler.HandleAsync(body, cancellationToken).ConfigureAwait(false);
            return DispatchOutcome.Done;
        }
        catch (Exception ex) when (ex is MalformedQueueMessageException or UnactionableMessageException)
        {
            field = (ex as MalformedQueueMessageException)?.Field;
            LogDeadLettered(_logger, queue, ex.Message);
            var now = _timeProvider.GetUtcNow();
            // Never the raw body: its identifiers that name no one, keyed references for those that do (DeadLetterForms.Queued).
            var letter = DeadLetterForms.Queued(ex.Message, queue, body, now, messageId, type, field, _deadLetters.KeyedRef);
            await _deadLetters.WriteAsync($"queue-{queue}-{Guid.CreateVersion7(now):N}", [letter], now, cancellationToken).ConfigureAwait(false);
            return DispatchOutcome.DeadLettered;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue {Queue}: timer of subject {SubjectRef} discarded, nothing to do: its key is gone (the customer was erased) or it does not open")]
    private static partial void LogShredded(ILogger logger, string queue, string subjectRef);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: message dead-lettered, it can never do anything: {Reason}")]
    private static partial void LogDeadLettered(ILogger logger, string queue, string reason);
}
