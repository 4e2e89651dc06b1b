namespace Recommender.Models.Algorithms;

/// <summary>The settings of <see cref="SequentialRulesRecommender"/>.</summary>
public sealed record SequentialRulesOptions
{
    /// <value>How many of a customer's following interactions an item is linked to (the rule "i, then j within this many steps"). 10 by default.</value>
    public int Window { get; init; } = 10;

    /// <value>γ: each item's row is divided by (its number of followers)^γ, so a busy item does not drown a rare one. 0.75 by default.</value>
    public double Normalization { get; init; } = 0.75;

    /// <value>How many of the customer's latest distinct items score a list. 20 by default.</value>
    public int Recent { get; init; } = 20;

    /// <value>The weight of the k-th latest of them is decayᵏ (the latest weighs 1). 0.9 by default.</value>
    public double PositionDecay { get; init; } = 0.9;

    /// <value>
    /// β: EASE's item weights (B, its defaults, each row's <see cref="EaseRowWidth"/> strongest entries) added to the rules,
    /// scaled so that β = 1 gives them the rules' total weight — what belongs with the latest items, besides what follows
    /// them. 0 (rules only) by default; the tuning grid tries {0, 0.3, 1, 3}. Left out (as 0) when the catalog is wider
    /// than EASE takes (<see cref="EaseOptions.MaxItems"/>).
    /// </value>
    public double EaseShare { get; init; }

    /// <value>
    /// β_h: EASE's item weights scored over the customer's WHOLE history, weighed by age like every other model
    /// (<see cref="UserScoring.Weigh"/>), added to the rules' score of the latest items, scaled so that β_h = 1 gives them
    /// the rules' total weight — what belongs to everything the customer did, besides what follows their latest items.
    /// 0 (off) by default; the tuning grid tries {0, 0.01, 0.03, 0.1, 0.3}. Left out (as 0) when the catalog is wider than
    /// EASE takes.
    /// </value>
    public double HistoryShare { get; init; }

    /// <summary>How many of each EASE row's strongest entries join the rules.</summary>
    public const int EaseRowWidth = 200;

    public bool IsValid => Window >= 1 && Normalization is >= 0 and <= 2 && Recent >= 1 && PositionDecay is > 0 and <= 1 && EaseShare is >= 0 and <= 100
        && HistoryShare is >= 0 and <= 100;
}

/// <summary>
/// Sequential rules ("customers who took i took j next"; Ludewig and Jannach, "Evaluation of
/// session-based recommendation algorithms", 2018): each customer's interactions in time order (ties in
/// input order), every ordered pair (i, j) with j among the <see cref="SequentialRulesOptions.Window"/>
/// interactions after i (j ≠ i) adds 1 to R[i, j]; row i is divided by (Σⱼ R[i, j])^γ. A customer is
/// scored from the order of what they did, not from the clock: their
/// <see cref="SequentialRulesOptions.Recent"/> latest distinct items weigh decay^rank (the latest 1),
/// times the item's interaction weight, and the score of j is Σₕ wₕ·R[h, j]
/// (<see cref="UserScoring.WeighFor"/>, the same weighting serving uses, carried by the exported
/// scorer). It answers "what comes next" — on MovieLens-100k with each user's latest quarter held out
/// it is about 1.2× SAR where every co-occurrence model is level with SAR (docs/training-and-quality.md,
/// "Sixth round") — and not "what else belongs to this customer", where full-history models win.
/// <see cref="SequentialRulesOptions.EaseShare"/> adds EASE's item weights to the rules (what belongs with
/// the latest items as well as what follows them), scored the same way.
/// </summary>
public sealed class SequentialRulesRecommender : IRecommenderAlgorithm, IItemToItem, IUserScorable
{
    private readonly SequentialRulesOptions _options;
    private string[] _items = [];
    private Dictionary<string, int> _index = new(StringComparer.Ordinal);
    private Dictionary<int, double>[] _rows = [];
    private double[] _frequencies = [];
    private Dictionary<string, List<HistoryEvent>> _histories = new(StringComparer.Ordinal);
    private Dictionary<int, double>[]? _historyRows;

    public SequentialRulesRecommender(SequentialRulesOptions? options = null)
    {
        _options = options ?? new SequentialRulesOptions();
        if (!_options.IsValid)
        {
            throw new ArgumentException("sequential rules need Window ≥ 1, 0 ≤ Normalization ≤ 2, Recent ≥ 1, 0 < PositionDecay ≤ 1, 0 ≤ EaseShare ≤ 100 and 0 ≤ HistoryShare ≤ 100", nameof(options));
        }
    }

    public string Name => "sequential";

    public SequentialRulesOptions Options => _options;

    public IReadOnlyList<string> Items => _items;

    public void Fit(IReadOnlyList<Interaction> interactions, TrainingContext context)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        ArgumentNullException.ThrowIfNull(context);
        context.Progress?.Report($"{Name}: rules over a window of {_options.Window}");
        _items = interactions.Select(i => i.Item).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        _index = _items.Select((item, n) => (item, n)).ToDictionary(x => x.item, x => x.n, StringComparer.Ordinal);
        _rows = new Dictionary<int, double>[_items.Length];
        for (var i = 0; i < _rows.Length; i++)
        {
            _rows[i] = [];
        }

        _histories = interactions
            .Select((interaction, position) => (interaction, position))
            .GroupBy(x => x.interaction.User, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => g.OrderBy(x => x.interaction.At).ThenBy(x => x.position).Select(x => new HistoryEvent(x.interaction.Item, x.interaction.At, x.interaction.Weight)).ToList(),
                StringComparer.Ordinal);
        _frequencies = new double[_items.Length];
        foreach (var sequence in _histories.Values)
        {
            var indices = sequence.Select(e => _index[e.Item]).ToArray();
            foreach (var i in indices.Distinct())
            {
                _frequencies[i]++;
            }

            for (var p = 0; p < indices.Length; p++)
            {
                var row = _rows[indices[p]];
                for (var q = p + 1; q < Math.Min(indices.Length, p + 1 + _options.Window); q++)
                {
                    if (indices[q] != indices[p])
                    {
                        row[indices[q]] = row.GetValueOrDefault(indices[q]) + 1;
                    }
                }
            }
        }

        foreach (var row in _rows)
        {
            var total = row.Values.Sum();
            if (total > 0 && _options.Normalization > 0)
            {
                var divisor = Math.Pow(total, _options.Normalization);
                foreach (var j in row.Keys.ToList())
                {
                    row[j] /= divisor;
                }
            }
        }

        _historyRows = null;
        if ((_options.EaseShare > 0 || _options.HistoryShare > 0) && _items.Length <= new EaseOptions().MaxItems)
        {
            context.Progress?.Report($"{Name}: EASE's item weights, share {_options.EaseShare} of the latest, {_options.HistoryShare} of the whole history");
            var ease = new EaseRecommender();
            ease.Fit(interactions, context with { Progress = null });
            var scorer = ease.ExportScorer(SequentialRulesOptions.EaseRowWidth);
            var rules = _rows.Sum(r => r.Values.Sum(Math.Abs));
            if (_options.HistoryShare > 0)
            {
                var historyRows = new Dictionary<int, double>[_items.Length];
                for (var i = 0; i < historyRows.Length; i++)
                {
                    historyRows[i] = [];
                }

                _historyRows = AddEase(scorer, rules, _options.HistoryShare, historyRows) ? historyRows : null;
            }

            AddEase(scorer, rules, _options.EaseShare, _rows);
        }
    }

    /// <summary>Adds β · (<paramref name="rules"/> / Σ|B|) · B to <paramref name="rows"/>, B the rows of an EASE fitted on the same interactions; false when nothing was added.</summary>
    private bool AddEase(UserScorer scorer, double rules, double share, Dictionary<int, double>[] rows)
    {
        var easeRows = scorer.Rows ?? [];
        var weights = easeRows.Sum(r => r.Weights.Sum(w => Math.Abs((double)w)));
        if (!(share > 0) || !(rules > 0) || !(weights > 0))
        {
            return false;
        }

        var scale = share * rules / weights;
        for (var n = 0; n < scorer.Items.Count; n++)
        {
            var row = rows[_index[scorer.Items[n]]];
            var from = easeRows[n];
            for (var m = 0; m < from.Columns.Length; m++)
            {
                var j = _index[scorer.Items[from.Columns[m]]];
                row[j] = row.GetValueOrDefault(j) + (scale * from.Weights[m]);
            }
        }

        return true;
    }

    /// <summary>R[i, j] after normalisation (0 for unknown items; tests and diagnostics).</summary>
    public double Rule(string first, string then) =>
        _index.TryGetValue(first, out var i) && _index.TryGetValue(then, out var j) ? _rows[i].GetValueOrDefault(j) : 0;

    public IReadOnlyList<ScoredItem> SimilarItems(string item, int k)
    {
        if (!_index.TryGetValue(item, out var i))
        {
            return [];
        }

        return _rows[i].Where(kv => kv.Value > 0).Select(kv => new ScoredItem(_items[kv.Key], kv.Value))
            .OrderByDescending(s => s.Score).ThenBy(s => s.Item, StringComparer.Ordinal).Take(k).ToList();
    }

    /// <summary>The rule rows (each truncated to <paramref name="rowWidth"/> entries) and the position weighting serving must apply.</summary>
    public UserScorer ExportScorer(int rowWidth)
    {
        UserScorer Of(Dictionary<int, double>[] rows) => ItemToItem.Scorer(_items, rowWidth, (i, row) =>
        {
            foreach (var (j, weight) in rows[i])
            {
                row[j] = weight;
            }
        });

        return Of(_rows) with
        {
            Recent = _options.Recent,
            PositionDecay = _options.PositionDecay,
            HistoryRows = _historyRows is { } history ? Of(history).Rows : null,
        };
    }

    public IReadOnlyList<ScoredItem> Recommend(string user, int k, bool excludeSeen)
    {
        if (!_histories.TryGetValue(user, out var history))
        {
            return TopK.Select(_frequencies, k, _frequencies, _items, []);
        }

        var scores = new double[_items.Length];
        foreach (var (item, weight) in UserScoring.Latest(history, _options.Recent, _options.PositionDecay))
        {
            foreach (var (j, rule) in _rows[_index[item]])
            {
                scores[j] += weight * rule;
            }
        }

        if (_historyRows is { } historyRows)
        {
            foreach (var (item, weight) in UserScoring.Weigh(history))
            {
                foreach (var (j, value) in historyRows[_index[item]])
                {
                    scores[j] += weight * value;
                }
            }
        }

        var seen = excludeSeen ? history.Select(e => _index[e.Item]).Distinct().ToArray() : [];
        return TopK.Select(scores, k, _frequencies, _items, seen);
    }
}
