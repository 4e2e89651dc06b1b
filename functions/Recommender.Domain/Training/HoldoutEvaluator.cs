using Recommender.Domain.Events;
using Recommender.Domain.Recommendations;
using Recommender.Models.Evaluation;

namespace Recommender.Domain.Training;

/// <summary>What the gate knows of one evaluated customer: their training events, newest first.</summary>
public sealed record CustomerHistory(string CustomerId, IReadOnlyList<ClickstreamEvent> Events)
{
    /// <summary>The distinct products of the history, most recently touched first.</summary>
    public IReadOnlyList<string> Products { get; } = Events.SelectMany(e => e.AllProductIds).Distinct(StringComparer.Ordinal).ToList();
}

/// <summary>Training events and what each evaluated customer went on to interact with afterwards.</summary>
/// <param name="Train">Every event except the held-out ones.</param>
/// <param name="Customers">Evaluated customers (ordinal order of their ids) and their training history.</param>
/// <param name="Relevant">Per evaluated customer, the held-out products they had not touched in training.</param>
/// <param name="HeldOutEvents">How many interaction events were held out.</param>
public sealed record HoldoutSplit(
    IReadOnlyList<ClickstreamEvent> Train,
    IReadOnlyList<CustomerHistory> Customers,
    IReadOnlyDictionary<string, HashSet<string>> Relevant,
    int HeldOutEvents);

/// <summary>Which of each customer's interactions the gate and the tuner hold out (<c>Recommender:Training:Holdout</c>).</summary>
public enum HoldoutOrder
{
    /// <summary>Their latest ones by time: the home list is judged on what the customer does next. The default.</summary>
    Latest,

    /// <summary>
    /// Ones drawn at random from the whole history (seeded by the customer id, so the same history always
    /// holds out the same events, in every run and process): the home list is judged on the customer's
    /// whole taste, not on what comes next.
    /// </summary>
    Random,
}

/// <summary>A model's holdout metrics and each evaluated customer's nDCG@k (aligned with <see cref="HoldoutSplit.Customers"/>).</summary>
public sealed record HoldoutEvaluation(IReadOnlyDictionary<string, double> Metrics, IReadOnlyList<double> PerCustomerNdcg);

/// <summary>
/// The training workflow's offline check. Each customer's latest interactions are held out — the
/// last <c>fraction</c> (25 %) of their interaction events by time, at least one, for every customer
/// with two or more — instead of one global window only recent customers reach, so the gate rests
/// on (nearly) every customer. With <see cref="HoldoutOrder.Random"/> the same number is drawn at
/// random from each customer's history instead, for a store whose home list should cover the whole
/// taste rather than the next interaction. Models are trained on the rest and each evaluated customer's list is
/// asked of the <see cref="IHoldoutScorer"/> (the seam that scores a customer as serving does);
/// relevant items are the held-out products the customer had not touched before. Metrics (binary
/// relevance): <c>ndcg@k</c>, <c>hr@k</c>, <c>precision@k</c>, <c>recall@k</c>, <c>map@k</c>, averaged
/// over customers, plus <c>users</c>.
/// </summary>
public static class HoldoutEvaluator
{
    public const double DefaultFraction = 0.25;

    public static HoldoutSplit Split(IReadOnlyList<ClickstreamEvent> events, double fraction = DefaultFraction, HoldoutOrder order = HoldoutOrder.Latest)
    {
        ArgumentNullException.ThrowIfNull(events);
        var heldOut = new HashSet<int>();
        var byCustomer = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var n = 0; n < events.Count; n++)
        {
            var e = events[n];
            if (ItemSimilarityTrainer.IsInteraction(e.Type) && !e.IsPseudonymized && e.SubjectId is { } subject)
            {
                if (!byCustomer.TryGetValue(subject, out var list))
                {
                    byCustomer[subject] = list = [];
                }

                list.Add(n);
            }
        }

        var customers = new List<CustomerHistory>();
        var relevant = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (customer, indices) in byCustomer.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (indices.Count < 2)
            {
                continue;
            }

            var ordered = indices.OrderBy(n => events[n].OccurredAt).ThenBy(n => n).ToArray();
            var test = Math.Clamp((int)Math.Round(fraction * ordered.Length, MidpointRounding.ToEven), 1, ordered.Length - 1);
            var held = order == HoldoutOrder.Latest ? ordered[^test..] : Drawn(ordered, test, customer, events);
            var history = new CustomerHistory(customer, ordered.Except(held).Reverse().Select(n => events[n]).ToList());
            var seen = history.Products.ToHashSet(StringComparer.Ordinal);
            var wanted = held.SelectMany(n => events[n].AllProductIds).Where(p => !seen.Contains(p)).ToHashSet(StringComparer.Ordinal);
            heldOut.UnionWith(held);
            if (wanted.Count > 0)
            {
                customers.Add(history);
                relevant[customer] = wanted;
            }
        }

        var train = events.Where((_, n) => !heldOut.Contains(n)).ToList();
        return new HoldoutSplit(train, customers, relevant, heldOut.Count);
    }

    /// <summary>
    /// <paramref name="count"/> of <paramref name="ordered"/> drawn at random: the same ones for the same customer and
    /// history in every run and process, whatever order the archive reads them in (equal times are told apart by id).
    /// </summary>
    private static int[] Drawn(int[] ordered, int count, string customer, IReadOnlyList<ClickstreamEvent> events)
    {
        var shuffled = ordered.OrderBy(n => events[n].OccurredAt).ThenBy(n => events[n].Id, StringComparer.Ordinal).ToArray();
        new Random(unchecked((int)StableHash.Fnv1a(customer))).Shuffle(shuffled);
        return shuffled[..count];
    }

    public static HoldoutEvaluation Evaluate(ItemSimilarityModel model, HoldoutSplit split, IHoldoutScorer scorer, int k = 10)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(scorer);
        double ndcg = 0, hits = 0, precision = 0, recall = 0, map = 0;
        var perCustomer = new double[split.Customers.Count];
        for (var c = 0; c < split.Customers.Count; c++)
        {
            var history = split.Customers[c];
            var relevant = split.Relevant[history.CustomerId];
            var top = scorer.Recommend(model, history, k);
            perCustomer[c] = RankingMetrics.Ndcg(top, relevant, k);
            ndcg += perCustomer[c];
            hits += RankingMetrics.Hit(top, relevant, k);
            precision += RankingMetrics.Precision(top, relevant, k);
            recall += RankingMetrics.Recall(top, relevant, k);
            map += RankingMetrics.AveragePrecision(top, relevant, k, capAtK: true);
        }

        var n = Math.Max(1, split.Customers.Count);
        var metrics = new Dictionary<string, double>
        {
            [$"ndcg@{k}"] = Math.Round(ndcg / n, 6),
            [$"map@{k}"] = Math.Round(map / n, 6),
            [$"hr@{k}"] = Math.Round(hits / n, 6),
            [$"precision@{k}"] = Math.Round(precision / n, 6),
            [$"recall@{k}"] = Math.Round(recall / n, 6),
            ["users"] = split.Customers.Count,
        };
        return new HoldoutEvaluation(metrics, perCustomer);
    }
}
