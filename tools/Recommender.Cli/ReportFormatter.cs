using System.Globalization;
using System.Text;
using System.Text.Json;
using Recommender.Models.Evaluation;

namespace Recommender.Cli;

/// <summary>The table for people and the JSON for machines.</summary>
public static class ReportFormatter
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private static readonly string[] Headers =
        ["algorithm", "MAP", "MAP@k", "nDCG@k", "P@k", "R@k", "HR@k", "coverage", "diversity", "novelty", "train ms", "score ms"];

    public static string ToTable(RunSummary summary, IReadOnlyList<AlgorithmEvaluation> results)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(results);
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"input {summary.Input}: {summary.Interactions:N0} interactions, {summary.Users:N0} users, {summary.Items:N0} items");
        text.AppendLine(c, $"protocol {summary.Protocol}: {summary.TrainInteractions:N0} training interactions, {summary.TestInteractions:N0} held out, {summary.EvaluatedUsers:N0} users evaluated; k={summary.K}, seen={summary.Seen}, seed={summary.Seed}");
        text.AppendLine();
        text.AppendLine("| " + string.Join(" | ", Headers) + " |");
        text.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---:|", Headers.Length - 1)));
        foreach (var r in results)
        {
            string[] cells =
            [
                r.Algorithm,
                F(r.Map), F(r.MapAtK), F(r.Ndcg), F(r.Precision), F(r.Recall), F(r.HitRate),
                F(r.Coverage), F(r.Diversity), r.Novelty.ToString("F2", c),
                r.TrainMilliseconds.ToString("F0", c), r.ScoreMilliseconds.ToString("F0", c),
            ];
            text.AppendLine("| " + string.Join(" | ", cells) + " |");
        }

        return text.ToString();

        string F(double value) => value.ToString("F4", c);
    }

    /// <summary>A JSON array with one object per algorithm: the run's description and every metric.</summary>
    public static string ToJson(RunSummary summary, IReadOnlyList<AlgorithmEvaluation> results)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(results);
        var rows = results.Select(r => new JsonRow(
            r.Algorithm,
            summary.Input,
            summary.Protocol,
            summary.K,
            summary.Seen,
            summary.Seed,
            summary.TrainInteractions,
            summary.TestInteractions,
            r.Users,
            r.Map,
            r.MapAtK,
            r.Ndcg,
            r.Precision,
            r.Recall,
            r.HitRate,
            r.Coverage,
            r.Diversity,
            r.Novelty,
            r.TrainMilliseconds,
            r.ScoreMilliseconds));
        return JsonSerializer.Serialize(rows, JsonOptions) + Environment.NewLine;
    }

    private sealed record JsonRow(
        string Algorithm,
        string Input,
        string Protocol,
        int K,
        string Seen,
        int Seed,
        int TrainInteractions,
        int TestInteractions,
        int Users,
        double Map,
        double MapAtK,
        double Ndcg,
        double Precision,
        double Recall,
        double HitRate,
        double Coverage,
        double Diversity,
        double Novelty,
        double TrainMilliseconds,
        double ScoreMilliseconds);
}
