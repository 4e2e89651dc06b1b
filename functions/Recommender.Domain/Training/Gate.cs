using System.Globalization;
using Recommender.Models.Evaluation;

namespace Recommender.Domain.Training;

/// <summary>What the gate decided: the candidate to train and serve (null when rejected), why, and the interval it rested on.</summary>
public sealed record GateDecision(CandidateResult Best, CandidateResult? Chosen, string Decision, GateRecord? Interval);

/// <summary>
/// The promotion rule. The best candidate (primary metric, ties by name) replaces a different
/// served algorithm only when it is better beyond noise: the paired bootstrap interval over the
/// evaluated customers of its nDCG@k minus the served algorithm's lies wholly above zero. Otherwise
/// the served algorithm is kept — retrained on the fresh data with its own tuned settings. Either
/// way the chosen one is rejected if it falls below the served algorithm's score by more than
/// <see cref="TrainingOptions.Tolerance"/>. With nothing served, or fewer evaluated customers than
/// <see cref="TrainingOptions.MinimumHoldoutCustomers"/>, the best candidate is promoted and the
/// decision says why.
/// </summary>
public static class Gate
{
    public static GateDecision Decide(IReadOnlyList<CandidateResult> candidates, string? servedAlgorithm, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(options);
        var metric = options.PrimaryMetric;
        candidates = candidates.Where(c => c.Skipped is null).ToList();
        var best = candidates.OrderByDescending(c => c.Metrics.GetValueOrDefault(metric)).ThenBy(c => c.Algorithm, StringComparer.Ordinal).First();
        var baseline = servedAlgorithm is null ? null : candidates.FirstOrDefault(c => c.Algorithm == servedAlgorithm);
        var score = best.Metrics.GetValueOrDefault(metric);
        var evaluated = (int)best.Metrics.GetValueOrDefault("users");
        if (baseline is null)
        {
            return new GateDecision(best, best, Invariant($"promoted: {best.Algorithm} {metric} {score:0.####} (nothing served before)"), null);
        }

        if (evaluated < options.MinimumHoldoutCustomers)
        {
            return new GateDecision(best, best, Invariant($"promoted: {best.Algorithm}; only {evaluated} customers in the holdout, too few to gate on"), null);
        }

        var served = baseline.Metrics.GetValueOrDefault(metric);
        GateRecord? record = null;
        var chosen = best;
        var why = string.Empty;
        if (best.Algorithm != baseline.Algorithm)
        {
            var interval = PairedBootstrap.Interval(best.PerCustomer, baseline.PerCustomer, options.ConfidenceLevel, options.BootstrapResamples);
            record = new GateRecord(best.Algorithm, baseline.Algorithm, Math.Round(interval.Mean, 6), Math.Round(interval.Lower, 6), Math.Round(interval.Upper, 6),
                interval.Level, interval.Users, interval.IsAboveZero);
            var range = Invariant($"{interval.Level:P0} interval of the {metric} difference [{interval.Lower:+0.####;-0.####;0}, {interval.Upper:+0.####;-0.####;0}] over {interval.Users} customers");
            if (!interval.IsAboveZero)
            {
                chosen = baseline;
                why = Invariant($"; {best.Algorithm} ({score:0.####}) is not better beyond noise: {range}");
            }
            else
            {
                why = Invariant($"; {range}");
            }
        }

        var chosenScore = chosen.Metrics.GetValueOrDefault(metric);
        if (chosenScore < served * (1 - options.Tolerance))
        {
            return new GateDecision(best, null, Invariant($"rejected: {chosen.Algorithm} {metric} {chosenScore:0.####} is below the served {baseline.Algorithm} {served:0.####} by more than {options.Tolerance:P0}{why}"), record);
        }

        var verb = chosen == baseline && best != baseline ? "kept" : "promoted";
        return new GateDecision(best, chosen, Invariant($"promoted: {chosen.Algorithm} {metric} {chosenScore:0.####} vs served {served:0.####}{(verb == "kept" ? " (served algorithm kept, retrained)" : string.Empty)}{why}"), record);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
