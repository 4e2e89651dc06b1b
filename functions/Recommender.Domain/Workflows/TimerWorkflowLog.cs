using Microsoft.Extensions.Logging;

namespace Recommender.Domain.Workflows;

/// <summary>The log lines of <see cref="TimerWorkflow{TState, TTimer}"/>: the timer as <c>Describe</c> names it (no raw id), and why.</summary>
internal static partial class TimerWorkflowLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "{Timer} is stale, nothing to do: {Reason}")]
    public static partial void Stale(ILogger logger, string timer, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Timer}: decided by a concurrent delivery of the same timer, or superseded meanwhile; nothing to do")]
    public static partial void NotClaimed(ILogger logger, string timer);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Timer}: message not sent: {Reason}")]
    public static partial void Suppressed(ILogger logger, string timer, string reason);
}
