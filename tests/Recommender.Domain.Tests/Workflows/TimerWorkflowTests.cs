using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Recommender.Domain.Messaging;
using Recommender.Domain.Ports;
using Recommender.Domain.Privacy;
using Recommender.Domain.Ports.Storage;
using Recommender.Domain.Workflows;

namespace Recommender.Domain.Tests.Workflows;

public enum TestReminderStatus { Armed, Sending, Sent, Suppressed, Cancelled }

/// <summary>The smallest instance a <see cref="MessageTimerWorkflow{TState, TTimer}"/> runs on.</summary>
public sealed class TestReminderState : IMessageTimerState
{
    public required string CustomerId { get; init; }
    public TestReminderStatus Status { get; set; }
    public int Generation { get; set; }
    public int Stage { get; set; }
    public DateTimeOffset DueAt { get; set; }
    public string? MessageId { get; set; }
    public List<WorkflowEvent> History { get; set; } = [];

    public void Record(DateTimeOffset at, string what) => WorkflowEvent.Append(History, at, what, 50);

    bool ITimerState.IsRunning => Status is TestReminderStatus.Armed or TestReminderStatus.Sending;
    DateTimeOffset? ITimerState.WakeAt => DueAt;
    string ITimerState.StatusName => Status.ToString();
    bool IMessageTimerState.IsSending => Status == TestReminderStatus.Sending;
    void IMessageTimerState.BeginSending(string messageId) => (Status, MessageId) = (TestReminderStatus.Sending, messageId);
    void IMessageTimerState.End(TimerOutcome outcome) => Status = outcome == TimerOutcome.Sent ? TestReminderStatus.Sent : TestReminderStatus.Suppressed;
    void IMessageTimerState.Cancel() => (Generation, Status) = (Generation + 1, TestReminderStatus.Cancelled);
}

public sealed record TestTimer(string CustomerId, int Generation, int Stage = 0) : ITimerMessage;

/// <summary>A workflow written on the building block, as a real one is: guard, decide, send, finish.</summary>
public sealed class TestReminderWorkflow(WorkflowServices services, ILogger logger)
    : MessageTimerWorkflow<TestReminderState, TestTimer>(services, logger, Queue, Kind)
{
    public const string Queue = "test-reminders";
    public const string Kind = "test_reminder";
    public const string InstanceId = "test-reminder";

    /// <summary>What the decision says: null sends, a reason suppresses.</summary>
    public string? Suppression { get; set; }
    public int Composed { get; private set; }

    public static string MessageIdOf(TestTimer timer) => $"{InstanceId}:{timer.CustomerId}:{timer.Generation}";

    public async Task WakeAsync(TestTimer timer)
    {
        var now = Now;
        if (await WakeUpAsync(timer, now, default) is null)
        {
            return;
        }

        if (Suppression is { } reason)
        {
            await SuppressAsync(timer, reason, default);
            return;
        }

        if (await SendAsync(timer, MessageIdOf(timer), now, _ => Task.FromResult($"{{\"composed\":{++Composed}}}"), default) is not null)
        {
            await FinishAsync(timer, TimerOutcome.Sent, "sent", default);
        }
    }

    public Task<bool> CancelAsync(string customerId) => CancelInstanceAsync(customerId, InstanceId, "by the test", default);

    protected override string InstanceIdOf(TestTimer timer) => InstanceId;

    protected override string Describe(TestTimer timer) => $"Test timer of generation {timer.Generation}";

    protected override string NoInstance => "no test reminder";
}

/// <summary>Keeps the formatted log lines.</summary>
public sealed class LineLogger : ILogger
{
    public List<string> Lines { get; } = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Add(formatter(state, exception));
}

/// <summary>
/// The timer-workflow building block on its own (<see cref="TimerWorkflow{TState, TTimer}"/>, <see cref="MessageTimerWorkflow{TState, TTimer}"/>):
/// the generation, stage and status guard, the early wake, suppression counted once, compose-then-outbox once per message.
/// </summary>
public class TimerWorkflowTests
{
    private const string Customer = "c1";
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 9, 0, 0, TimeSpan.Zero);

    private readonly IDocumentStore _documents = new InMemoryDocumentStore();
    private readonly RecordingWorkQueue _queue = new();
    private readonly FakeTimeProvider _clock = new(T0);
    private readonly MessageOutbox _outbox;
    private readonly WorkflowStats _stats;
    private readonly LineLogger _log = new();
    private readonly TestReminderWorkflow _workflow;

    public TimerWorkflowTests()
    {
        var seal = new TimerSeal(_documents, new ErasureTombstones(_documents, Options.Create(new PrivacyOptions()), _clock, NullLogger<ErasureTombstones>.Instance), _clock);
        _outbox = new MessageOutbox(_documents, _queue, _clock, seal);
        _stats = new WorkflowStats(_documents);
        _workflow = new TestReminderWorkflow(new WorkflowServices(_documents, _queue, seal, _outbox, _stats, _clock), _log);
    }

    private Task SeedAsync(TestReminderStatus status, int generation, DateTimeOffset dueAt, string? messageId = null, int stage = 0) =>
        _documents.UpsertAsync(Collections.Workflows, Customer, TestReminderWorkflow.InstanceId, Json.ToElement(new TestReminderState
        {
            CustomerId = Customer, Status = status, Generation = generation, DueAt = dueAt, MessageId = messageId, Stage = stage,
        }));

    private async Task<TestReminderState> StateAsync() =>
        (await _documents.GetAsync<TestReminderState>(Collections.Workflows, Customer, TestReminderWorkflow.InstanceId))!;

    private async Task<long> SuppressedCountAsync() =>
        (await _stats.ReadAsync()).SingleOrDefault(c => c.Kind == TestReminderWorkflow.Kind)?.Suppressed ?? 0;

    [Fact]
    public async Task Wake_OfAnOlderGeneration_IsIgnored()
    {
        await SeedAsync(TestReminderStatus.Armed, generation: 2, dueAt: T0);

        await _workflow.WakeAsync(new TestTimer(Customer, 1));

        Assert.Equal(0, _workflow.Composed);
        Assert.Empty(await _outbox.ListAsync(Customer));
        Assert.Empty(_queue.Sent);
        var state = await StateAsync();
        Assert.Equal((TestReminderStatus.Armed, 2), (state.Status, state.Generation));
        Assert.Equal("Test timer of generation 1 is stale, nothing to do: superseded by generation 2", Assert.Single(_log.Lines));
    }

    [Fact]
    public async Task Wake_OfAPassedStage_IsIgnored()
    {
        await SeedAsync(TestReminderStatus.Armed, generation: 1, dueAt: T0, stage: 1);

        await _workflow.WakeAsync(new TestTimer(Customer, 1, Stage: 0));

        Assert.Equal(0, _workflow.Composed);
        Assert.Empty(await _outbox.ListAsync(Customer));
        Assert.Equal("Test timer of generation 1 is stale, nothing to do: its stage has passed (the instance is at stage 1)", Assert.Single(_log.Lines));
    }

    [Theory]
    [InlineData(TestReminderStatus.Sent)]
    [InlineData(TestReminderStatus.Suppressed)]
    [InlineData(TestReminderStatus.Cancelled)]
    public async Task Wake_OfAFinishedInstance_IsIgnored(TestReminderStatus finished)
    {
        await SeedAsync(finished, generation: 1, dueAt: T0);

        await _workflow.WakeAsync(new TestTimer(Customer, 1));

        Assert.Equal(0, _workflow.Composed);
        Assert.Empty(await _outbox.ListAsync(Customer));
        Assert.Equal(0, await SuppressedCountAsync());
        var state = await StateAsync();
        Assert.Equal(finished, state.Status);
        Assert.Empty(state.History);
        Assert.Equal($"Test timer of generation 1 is stale, nothing to do: decided already ({finished})", Assert.Single(_log.Lines));
    }

    [Fact]
    public async Task Wake_WithoutAnInstance_IsIgnored()
    {
        await _workflow.WakeAsync(new TestTimer(Customer, 1));

        Assert.Equal(0, _workflow.Composed);
        Assert.Empty(await _outbox.ListAsync(Customer));
        Assert.Equal("Test timer of generation 1 is stale, nothing to do: no test reminder (never armed, expired, or erased)", Assert.Single(_log.Lines));
    }

    [Fact]
    public async Task Wake_BeforeItIsDue_SleepsAgain_AndDecidesNothing()
    {
        await SeedAsync(TestReminderStatus.Armed, generation: 1, dueAt: T0.AddDays(10));

        await _workflow.WakeAsync(new TestTimer(Customer, 1));

        Assert.Equal(0, _workflow.Composed);
        var (queue, _, delay) = Assert.Single(_queue.Sent);
        Assert.Equal((TestReminderWorkflow.Queue, TimeSpan.FromDays(7)), (queue, delay)); // one queue hop at most
        Assert.Equal(TestReminderStatus.Armed, (await StateAsync()).Status);
    }

    [Fact]
    public async Task Wake_AheadOfItsInstancesStage_Throws_SoTheQueueRetriesIt()
    {
        await SeedAsync(TestReminderStatus.Armed, generation: 1, dueAt: T0);

        await Assert.ThrowsAsync<InvalidOperationException>(() => _workflow.WakeAsync(new TestTimer(Customer, 1, Stage: 1)));
        Assert.Equal(0, _workflow.Composed);
    }

    [Fact]
    public async Task Suppression_OfATimerDeliveredTwice_IsCountedOnce()
    {
        await SeedAsync(TestReminderStatus.Armed, generation: 1, dueAt: T0);
        _workflow.Suppression = "suppressed: no email consent";

        await _workflow.WakeAsync(new TestTimer(Customer, 1));
        await _workflow.WakeAsync(new TestTimer(Customer, 1));

        Assert.Equal(1, await SuppressedCountAsync());
        var state = await StateAsync();
        Assert.Equal(TestReminderStatus.Suppressed, state.Status);
        Assert.Equal("suppressed: no email consent", Assert.Single(state.History).What);
        Assert.Empty(await _outbox.ListAsync(Customer));
        Assert.Equal(0, _workflow.Composed);
    }

    [Fact]
    public async Task ComposeThenOutbox_OfATimerDeliveredTwice_RunsOnce()
    {
        await SeedAsync(TestReminderStatus.Armed, generation: 1, dueAt: T0);
        var timer = new TestTimer(Customer, 1);

        await _workflow.WakeAsync(timer);
        await _workflow.WakeAsync(timer);

        Assert.Equal(1, _workflow.Composed);
        var entry = Assert.Single(await _outbox.ListAsync(Customer));
        Assert.Equal((TestReminderWorkflow.MessageIdOf(timer), TestReminderWorkflow.Kind, "{\"composed\":1}"), (entry.Message.MessageId, entry.Message.Kind, entry.Message.Body));
        var state = await StateAsync();
        Assert.Equal((TestReminderStatus.Sent, TestReminderWorkflow.MessageIdOf(timer)), (state.Status, state.MessageId));
        Assert.Equal(["sending test-reminder:c1:1", "sent"], state.History.Select(h => h.What));
        Assert.Equal(0, await SuppressedCountAsync());
    }

    [Fact]
    public async Task Wake_OfAnInstanceLeftSendingByACrash_HandsTheSameMessageOver()
    {
        var timer = new TestTimer(Customer, 1);
        await SeedAsync(TestReminderStatus.Sending, generation: 1, dueAt: T0, messageId: TestReminderWorkflow.MessageIdOf(timer));

        await _workflow.WakeAsync(timer);

        Assert.Equal(1, _workflow.Composed);
        Assert.Equal(TestReminderWorkflow.MessageIdOf(timer), Assert.Single(await _outbox.ListAsync(Customer)).Message.MessageId);
        Assert.Equal(TestReminderStatus.Sent, (await StateAsync()).Status);
    }

    [Fact]
    public async Task Cancel_MakesThePendingTimerStale()
    {
        await SeedAsync(TestReminderStatus.Armed, generation: 1, dueAt: T0);

        Assert.True(await _workflow.CancelAsync(Customer));
        Assert.False(await _workflow.CancelAsync(Customer)); // nothing runs any more
        await _workflow.WakeAsync(new TestTimer(Customer, 1));

        Assert.Equal(0, _workflow.Composed);
        var state = await StateAsync();
        Assert.Equal((TestReminderStatus.Cancelled, 2), (state.Status, state.Generation));
        Assert.Equal("cancelled: by the test", Assert.Single(state.History).What);
    }
}
