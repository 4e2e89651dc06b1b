using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Recommender.Domain.Ports.Storage;

/// <summary>
/// Handles the messages of one queue of the <see cref="QueueRegistry"/>: reads the body as the queue's
/// message and runs the step it wakes. Registered in DI (<see cref="QueueHandlerServiceCollectionExtensions.AddQueueHandler{TService, TMessage}"/>);
/// the queue dispatcher is built from every registered handler.
/// </summary>
public interface IQueueHandler
{
    /// <summary>The queue whose messages this handler reads (a name of the registry).</summary>
    string Queue { get; }

    /// <summary>The message type, named by the dead letter of a message that cannot be handled.</summary>
    string MessageType { get; }

    /// <summary>
    /// Handles one message body. Throws <see cref="MalformedQueueMessageException"/> when the body is not a
    /// complete message, <see cref="UnactionableMessageException"/> when it names what does not exist;
    /// any other exception is a failure worth retrying.
    /// </summary>
    Task HandleAsync(string body, CancellationToken cancellationToken);
}

/// <summary>A queue message that can never be read as its queue's message (not JSON, a field missing or of the wrong type, incomplete).</summary>
/// <param name="message">The reason, naming the field and position, never the value read there (it may be personal data).</param>
/// <param name="field">The field the message fails on, when one is known.</param>
public sealed class MalformedQueueMessageException(string message, string? field = null) : Exception(message)
{
    /// <summary>The field the message fails on, when one is known (named by the dead letter).</summary>
    public string? Field { get; } = field;
}

/// <summary>The handler of a queue whose messages are <typeparamref name="TMessage"/>: parses, checks completeness, runs the step.</summary>
public sealed class QueueHandler<TMessage>(string queue, Func<TMessage, bool> isComplete, Func<TMessage, CancellationToken, Task> step) : IQueueHandler
{
    public string Queue { get; } = queue;

    public string MessageType => typeof(TMessage).Name;

    public Task HandleAsync(string body, CancellationToken cancellationToken) => step(Parse(body), cancellationToken);

    /// <summary>Reads <paramref name="text"/> as a complete <typeparamref name="TMessage"/>, or throws <see cref="MalformedQueueMessageException"/>.</summary>
    public TMessage Parse(string text)
    {
        var type = MessageType;
        try
        {
            var value = JsonSerializer.Deserialize<TMessage>(text, Json.Options) ?? throw new MalformedQueueMessageException("message is null");
            return isComplete(value) ? value : throw new MalformedQueueMessageException($"message is not a complete {type}");
        }
        catch (JsonException ex)
        {
            // The reason names the field and position, never the value read there (it may be personal data).
            var field = ex.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : null;
            throw new MalformedQueueMessageException(field is null
                ? $"message is not a valid {type}: not well-formed JSON (line {ex.LineNumber ?? 0}, byte {ex.BytePositionInLine ?? 0})"
                : $"message is not a valid {type}: {field} is missing, null or of the wrong type", field);
        }
    }
}

/// <summary>
/// What a registered handler reads, known without constructing its service: the start-up check
/// (<see cref="QueueHandlers.AddQueueHandlers"/>) holds these against the registry.
/// </summary>
/// <param name="Queue">The queue the handler reads.</param>
/// <param name="Service">The service whose step it runs.</param>
/// <param name="Message">The message type.</param>
public sealed record QueueHandlerDescriptor(string Queue, Type Service, Type Message);

public static class QueueHandlerServiceCollectionExtensions
{
    /// <summary>
    /// Registers the handler of <paramref name="queue"/>: its messages are <typeparamref name="TMessage"/>,
    /// complete when <paramref name="isComplete"/> says so, and run <paramref name="step"/> on the
    /// <typeparamref name="TService"/> (resolved once, when the dispatcher is built).
    /// </summary>
    public static IServiceCollection AddQueueHandler<TService, TMessage>(this IServiceCollection services, string queue,
        Func<TService, TMessage, CancellationToken, Task> step, Func<TMessage, bool> isComplete)
        where TService : notnull
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(isComplete);
        return services.AddSingleton(new QueueHandlerDescriptor(queue, typeof(TService), typeof(TMessage))).AddSingleton<IQueueHandler>(sp =>
        {
            var service = sp.GetRequiredService<TService>();
            return new QueueHandler<TMessage>(queue, isComplete, (message, cancellationToken) => step(service, message, cancellationToken));
        });
    }

    /// <summary>
    /// Registers the handler of the queue <typeparamref name="TStep"/> declares (<see cref="IQueueStep{TMessage}.Queue"/>):
    /// its messages are complete when the step says so, and run the step (the step is registered as a singleton
    /// unless it is already).
    /// </summary>
    public static IServiceCollection AddQueueStep<TStep, TMessage>(this IServiceCollection services)
        where TStep : class, IQueueStep<TMessage>
    {
        services.TryAddSingleton<TStep>();
        return services.AddSingleton(new QueueHandlerDescriptor(TStep.Queue, typeof(TStep), typeof(TMessage))).AddSingleton<IQueueHandler>(sp =>
        {
            var step = sp.GetRequiredService<TStep>();
            return new QueueHandler<TMessage>(TStep.Queue, step.IsComplete, step.RunAsync);
        });
    }
}
