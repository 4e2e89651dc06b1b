using System.Diagnostics;
using Recommender.Domain.Ports.Storage;
using Recommender.Domain.Ports.Telemetry;

namespace Recommender.Functions.Messaging;

public sealed partial class QueueDispatcher
{
    /// <summary>
    /// Handles one queue message (see the class summary), traced as a <c>queue {name}</c> span and
    /// counted (<see cref="RecommenderTelemetry.WorkflowSteps"/>) by queue and outcome — the queue's
    /// name, never the message (which can name a customer).
    /// </summary>
    /// <param name="messageId">The queue message's own id, named by its dead letter if it gets one.</param>
    public async Task<DispatchOutcome> DispatchAsync(string queue, string body, string? messageId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queue);
        // Queue names are the registry's (QueueRegistry); anything else is counted as one bucket.
        var name = QueueRegistry.Contains(queue) ? queue : "unknown";
        using var activity = RecommenderTelemetry.Source.StartActivity($"queue {name}", ActivityKind.Consumer);
        activity?.SetTag(RecommenderTelemetry.Tags.Queue, name);
        var started = _timeProvider.GetTimestamp();
        var outcome = "failed";
        try
        {
            var result = await DispatchStepAsync(queue, body, messageId, cancellationToken).ConfigureAwait(false);
            outcome = result == DispatchOutcome.DeadLettered ? "dead-lettered" : "done";
            return result;
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
        finally
        {
            activity?.SetTag(RecommenderTelemetry.Tags.Outcome, outcome);
            var queueTag = new KeyValuePair<string, object?>(RecommenderTelemetry.Tags.Queue, name);
            RecommenderTelemetry.WorkflowSteps.Add(1, queueTag, new(RecommenderTelemetry.Tags.Outcome, outcome));
            RecommenderTelemetry.WorkflowStepDuration.Record(_timeProvider.GetElapsedTime(started).TotalSeconds, queueTag);
        }
    }
}
