using Recommender.Domain.Events;
using Recommender.Domain.Training;

namespace Recommender.Domain.Tests.Training;

public class GateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TrainingOptions Options = new();

    private static CandidateResult Candidate(string algorithm, double[] perCustomer) =>
        new(algorithm, new Dictionary<string, double> { ["ndcg@10"] = perCustomer.Average(), ["users"] = perCustomer.Length }) { PerCustomer = perCustomer };

    private static double[] Scores(int seed, int customers = 300)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, customers).Select(_ => random.NextDouble() * 0.6).ToArray();
    }

    [Fact]
    public void CandidateBetterOnlyByNoise_IsNotPromoted_TheServedAlgorithmIsKept()
    {
        var served = Scores(1);
        var random = new Random(2);
        // Slightly higher on average, but up and down per customer: the interval straddles zero.
        var noisy = served.Select(s => s + 0.004 + ((random.NextDouble() - 0.5) * 0.4)).ToArray();

        var gate = Gate.Decide([Candidate("ease", noisy), Candidate("sar", served)], servedAlgorithm: "sar", Options);

        Assert.Equal("ease", gate.Best.Algorithm);
        Assert.Equal("sar", gate.Chosen!.Algorithm);
        Assert.NotNull(gate.Interval);
        Assert.False(gate.Interval!.BetterBeyondNoise);
        Assert.True(gate.Interval.Lower < 0 && gate.Interval.Upper > 0);
        Assert.Contains("not better beyond noise", gate.Decision, StringComparison.Ordinal);
    }

    [Fact]
    public void ClearlyBetterCandidate_IsPromoted_WithItsInterval()
    {
        var served = Scores(3);
        var random = new Random(4);
        var better = served.Select(s => s + 0.08 + ((random.NextDouble() - 0.5) * 0.1)).ToArray();

        var gate = Gate.Decide([Candidate("sar", served), Candidate("ease", better)], servedAlgorithm: "sar", Options);

        Assert.Equal("ease", gate.Chosen!.Algorithm);
        Assert.True(gate.Interval!.BetterBeyondNoise);
        Assert.True(gate.Interval.Lower > 0);
        Assert.Equal(300, gate.Interval.Customers);
        Assert.StartsWith("promoted: ease", gate.Decision, StringComparison.Ordinal);
    }

    [Fact]
    public void NothingServed_PromotesTheBest_WithoutAnInterval()
    {
        var gate = Gate.Decide([Candidate("sar", Scores(5)), Candidate("ease", Scores(6))], servedAlgorithm: null, Options);

        Assert.Same(gate.Best, gate.Chosen);
        Assert.Null(gate.Interval);
    }

    [Fact]
    public void Split_HoldsOutEachCustomersLatestQuarter_ForNearlyEveryCustomer()
    {
        var split = HoldoutEvaluator.Split(Events(poisonLatest: false));

        Assert.Equal(split.Customers.Count, split.Relevant.Count);
        Assert.True(split.Customers.Count >= 50);
        Assert.Equal(60 * 2, split.HeldOutEvents); // 8 events each: the latest 2
        Assert.Equal(60 * 6, split.Train.Count);
        Assert.All(split.Customers, c => Assert.Equal(6, c.Events.Count));
        Assert.All(split.Customers, c => Assert.True(c.Events[0].OccurredAt >= c.Events[^1].OccurredAt));
    }

    [Fact]
    public void RandomHoldout_DrawsTheSameShareFromTheWholeHistory_TheSameOnesEveryRun()
    {
        var events = Events(poisonLatest: false);

        var split = HoldoutEvaluator.Split(events, order: HoldoutOrder.Random);
        var again = HoldoutEvaluator.Split(events.AsEnumerable().Reverse().ToList(), order: HoldoutOrder.Random);

        Assert.Equal(60 * 2, split.HeldOutEvents); // the same share as the latest rule: 2 of 8 each
        Assert.Equal(60 * 6, split.Train.Count);
        Assert.All(split.Customers, c => Assert.Equal(6, c.Events.Count));
        Assert.All(split.Customers, c => Assert.True(c.Events.Zip(c.Events.Skip(1)).All(p => p.First.OccurredAt >= p.Second.OccurredAt))); // newest first
        // Not the latest two: most customers keep one of their latest events and lose an earlier one.
        var keptALatest = split.Customers.Count(c => c.Events.Any(e => e.OccurredAt >= T0.AddHours(6)));
        Assert.True(keptALatest >= 40, $"{keptALatest} of {split.Customers.Count} customers kept one of their latest two events");
        // Drawn per customer, not one position for everyone.
        Assert.True(split.Customers.Select(c => string.Join(',', c.Events.Select(e => e.Id[(e.Id.IndexOf('-', StringComparison.Ordinal) + 1)..]))).Distinct().Count() > 10);
        // Seeded by the customer: the same events held out whatever order the archive reads them in, equal times included.
        Assert.Equal(split.Train.Select(e => e.Id).Order(StringComparer.Ordinal), again.Train.Select(e => e.Id).Order(StringComparer.Ordinal));
        var tied = events.Select(e => e with { OccurredAt = T0 }).ToList();
        var tiedAgain = HoldoutEvaluator.Split(tied.AsEnumerable().Reverse().ToList(), order: HoldoutOrder.Random);
        Assert.Equal(HoldoutEvaluator.Split(tied, order: HoldoutOrder.Random).Train.Select(e => e.Id).Order(StringComparer.Ordinal),
            tiedAgain.Train.Select(e => e.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Tuning_HoldsOutWhatTheGateHoldsOut()
    {
        // Each customer's latest two events are of products nobody else has: judged on them, every trial scores zero;
        // judged on events drawn from the whole history, the search has something to find.
        var events = Events(poisonLatest: true);
        var trainer = new AlgorithmTrainer("ease");
        var scorer = new NeighbourSumScorer();

        var (_, latest) = CandidateTuner.Tune(trainer, events, scorer, new TrainingOptions(), T0, TimeProvider.System);
        var (_, random) = CandidateTuner.Tune(trainer, events, scorer, new TrainingOptions { Holdout = HoldoutOrder.Random }, T0, TimeProvider.System);

        Assert.All(latest!.Trials, t => Assert.Equal(0, t.Ndcg));
        Assert.Contains(random!.Trials, t => t.Ndcg > 0.1);
    }

    [Fact]
    public void PoisonedTestData_DoesNotChangeTheChosenHyperparameters()
    {
        // Same training part; the held-out (latest) events differ completely.
        var clean = HoldoutEvaluator.Split(Events(poisonLatest: false));
        var poisoned = HoldoutEvaluator.Split(Events(poisonLatest: true));
        var scorer = new NeighbourSumScorer();
        var options = new TrainingOptions();

        foreach (var algorithm in new[] { "ease", "sar", "itemknn-cosine" })
        {
            var trainer = new AlgorithmTrainer(algorithm);
            var (a, recordA) = CandidateTuner.Tune(trainer, clean.Train, scorer, options, T0, TimeProvider.System);
            var (b, recordB) = CandidateTuner.Tune(trainer, poisoned.Train, scorer, options, T0, TimeProvider.System);

            Assert.NotNull(a);
            Assert.Equal(a, b);
            Assert.Equal(recordA!.Trials.Select(t => t.Ndcg), recordB!.Trials.Select(t => t.Ndcg));
        }

        Assert.NotEqual(clean.Relevant.Values.SelectMany(r => r).Order(StringComparer.Ordinal), poisoned.Relevant.Values.SelectMany(r => r).Order(StringComparer.Ordinal));
    }

    /// <summary>60 customers in three taste groups, 8 events each; with <paramref name="poisonLatest"/> each one's latest two are of products nobody else has.</summary>
    private static List<ClickstreamEvent> Events(bool poisonLatest)
    {
        var random = new Random(9);
        var events = new List<ClickstreamEvent>();
        for (var c = 0; c < 60; c++)
        {
            var group = c % 3;
            for (var v = 0; v < 8; v++)
            {
                var product = $"g{group}-p{random.Next(10)}";
                events.Add(new ClickstreamEvent
                {
                    Id = $"e{c}-{v}", Type = EventType.View, CustomerId = $"c{c:D2}",
                    ProductId = poisonLatest && v >= 6 ? $"poison-{c}-{v}" : product, OccurredAt = T0.AddHours(v).AddMinutes(c),
                });
            }
        }

        return events;
    }
}
