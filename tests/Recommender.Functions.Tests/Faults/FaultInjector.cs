namespace Recommender.Functions.Tests.Faults;

/// <summary>The process died here (injected by <see cref="FaultInjector"/>); nothing in the app may handle it.</summary>
public sealed class SimulatedCrashException(string message) : Exception(message);

/// <summary>
/// Counts the steps with effects — mutating storage calls (document create/replace/upsert/increment/delete,
/// blob put/replace/delete, queue send/complete) and webhooks a provider accepted (<see cref="Observe"/>) —
/// and crashes the process right after the one chosen by <see cref="Arm"/>: that step lands, then every
/// storage call, read or write, throws <see cref="SimulatedCrashException"/> until <see cref="Restart"/>,
/// as if the process died between that step and the next.
/// </summary>
public sealed class FaultInjector
{
    private int _calls;
    private int _crashAfter;
    private Func<string, bool>? _crashAfterStep;
    private volatile bool _down;

    /// <summary>Mutating calls since the last <see cref="Arm"/>.</summary>
    public int MutatingCalls => Volatile.Read(ref _calls);

    /// <summary>The call the process died after (number and description), once it did.</summary>
    public string? CrashedAfter { get; private set; }

    public bool IsDown => _down;

    /// <summary>Starts counting from zero; crashes after call <paramref name="crashAfter"/> (0: never).</summary>
    public void Arm(int crashAfter)
    {
        Volatile.Write(ref _calls, 0);
        _crashAfter = crashAfter;
        _crashAfterStep = null;
        CrashedAfter = null;
        _down = false;
    }

    /// <summary>Starts counting from zero; crashes after the first step whose description matches <paramref name="step"/>.</summary>
    public void Arm(Func<string, bool> step)
    {
        Arm(0);
        _crashAfterStep = step;
    }

    /// <summary>The process is back (a new host instance): storage works, nothing more crashes.</summary>
    public void Restart()
    {
        _crashAfter = 0;
        _crashAfterStep = null;
        _down = false;
    }

    /// <summary>Before any storage call: a dead process does nothing.</summary>
    public void ThrowIfDown()
    {
        if (_down)
        {
            throw new SimulatedCrashException($"the process is down (crashed after {CrashedAfter})");
        }
    }

    /// <summary>Runs one mutating call, then dies if it was the chosen one.</summary>
    public async Task<T> MutateAsync<T>(string what, Func<Task<T>> call)
    {
        ThrowIfDown();
        var result = await call().ConfigureAwait(false);
        Observe(what);
        return !_down ? result : throw new SimulatedCrashException($"crashed after {CrashedAfter}");
    }

    /// <summary>
    /// A side effect outside storage happened (a provider accepted a webhook); if it was the chosen
    /// step the process dies now, so the sender never learns of the answer.
    /// </summary>
    public void Observe(string what)
    {
        var number = Interlocked.Increment(ref _calls);
        if (number == _crashAfter || _crashAfterStep?.Invoke(what) == true)
        {
            CrashedAfter = $"#{number} {what}";
            _down = true;
        }
    }

    public Task MutateAsync(string what, Func<Task> call) => MutateAsync(what, async () =>
    {
        await call().ConfigureAwait(false);
        return true;
    });
}
