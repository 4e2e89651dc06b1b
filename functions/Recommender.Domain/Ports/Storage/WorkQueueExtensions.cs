using System.Text.Json;
using Recommender.Domain.Ports;

namespace Recommender.Domain.Ports.Storage;

public static class WorkQueueExtensions
{
    /// <summary>
    /// A workflow timer: sends <paramref name="message"/> to become visible at <paramref name="dueAt"/>, at
    /// most one queue hop (<see cref="IWorkQueue.MaxDelay"/>) away — a longer wait re-arms when it wakes
    /// early; a due time already past is visible at once.
    /// </summary>
    public static Task ScheduleAsync<T>(this IWorkQueue queue, string queueName, T message, DateTimeOffset dueAt, TimeProvider timeProvider,
        CancellationToken cancellationToken = default)
    {
        var delay = dueAt - timeProvider.GetUtcNow();
        delay = delay < TimeSpan.Zero ? TimeSpan.Zero : delay > IWorkQueue.MaxDelay ? IWorkQueue.MaxDelay : delay;
        return queue.SendAsync(queueName, JsonSerializer.Serialize(message, Json.Options), delay, cancellationToken);
    }
}
