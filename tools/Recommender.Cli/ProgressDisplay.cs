using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Recommender.Cli;

/// <summary>
/// Progress of long work (evaluation, tuning, generation, a training run) on stderr: on a terminal a
/// Spectre.Console progress bar with the messages scrolling above it; redirected (a log, a pipe, a
/// test) one plain line per message with the elapsed time, so logs stay readable.
/// </summary>
public sealed class ProgressDisplay
{
    private readonly IAnsiConsole? _console;
    private readonly TextWriter _plain;

    private ProgressDisplay(IAnsiConsole? console, TextWriter plain)
    {
        _console = console;
        _plain = plain;
    }

    /// <summary>A bar when <paramref name="stderr"/> is an interactive terminal, plain lines otherwise.</summary>
    public static ProgressDisplay For(TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stderr) });
        return console.Profile.Capabilities is { Interactive: true, Ansi: true } ? new ProgressDisplay(console, stderr) : new ProgressDisplay(null, stderr);
    }

    /// <summary>Always the bar, on <paramref name="console"/> (tests render it on a test console).</summary>
    public static ProgressDisplay On(IAnsiConsole console) => new(console ?? throw new ArgumentNullException(nameof(console)), TextWriter.Null);

    /// <summary>Runs <paramref name="work"/> with a task of <paramref name="steps"/> steps named <paramref name="title"/>.</summary>
    public T Run<T>(string title, double steps, Func<IStepProgress, T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var clock = Stopwatch.StartNew();
        if (_console is null)
        {
            return work(new PlainProgress(_plain, clock));
        }

        return _console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(title), maxValue: Math.Max(steps, 1));
                var result = work(new BarProgress(_console, task, clock));
                task.Value = task.MaxValue;
                return result;
            });
    }

    /// <summary>Runs asynchronous <paramref name="work"/> the same way.</summary>
    public async Task<T> RunAsync<T>(string title, double steps, Func<IStepProgress, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var clock = Stopwatch.StartNew();
        if (_console is null)
        {
            return await work(new PlainProgress(_plain, clock)).ConfigureAwait(false);
        }

        return await _console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(title), maxValue: Math.Max(steps, 1));
                var result = await work(new BarProgress(_console, task, clock)).ConfigureAwait(false);
                task.Value = task.MaxValue;
                return result;
            }).ConfigureAwait(false);
    }

    private static string Stamp(Stopwatch clock, string message) =>
        string.Create(CultureInfo.InvariantCulture, $"[{clock.Elapsed.TotalSeconds,7:F1}s] {message}");

    private sealed class PlainProgress(TextWriter writer, Stopwatch clock) : IStepProgress
    {
        public void Report(string value) => writer.WriteLine(Stamp(clock, value));

        public void Advance(double steps = 1)
        {
        }

        public void Step(string description) => Report(description);
    }

    private sealed class BarProgress(IAnsiConsole console, ProgressTask task, Stopwatch clock) : IStepProgress
    {
        public void Report(string value) => console.MarkupLine($"[grey]{Markup.Escape(Stamp(clock, value))}[/]");

        public void Advance(double steps = 1) => task.Increment(steps);

        public void Step(string description)
        {
            Report(description);
            task.Description = Markup.Escape(description);
        }
    }
}

/// <summary>Messages (<see cref="IProgress{T}"/>), named steps and the bar's advance.</summary>
public interface IStepProgress : IProgress<string>
{
    /// <summary>Moves the bar on by <paramref name="steps"/>.</summary>
    void Advance(double steps = 1);

    /// <summary>Starts a named step: a message, and the bar's label.</summary>
    void Step(string description);
}
