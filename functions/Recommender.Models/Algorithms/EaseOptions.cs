namespace Recommender.Models.Algorithms;

/// <summary>Hyper-parameters of <see cref="EaseRecommender"/>.</summary>
public sealed record EaseOptions
{
    /// <summary>
    /// The L2 penalty λ added to the diagonal of the item Gram matrix.
    /// </summary>
    /// <value>
    /// 250 by default, a good value for data sets of about 100,000 interactions over a few thousand
    /// items (Steck reports optima from a few hundred to a few thousand, growing with the data).
    /// Larger values favour popular items less and smooth more.
    /// </value>
    public double Lambda { get; init; } = 250;

    /// <summary>The largest catalog EASE agrees to train on.</summary>
    /// <value>
    /// 20,000 items by default. EASE keeps one dense item × item matrix of doubles
    /// (8·n² bytes: 3.2 GB at 20,000 items) and inverts it in O(n³); above the limit
    /// <see cref="EaseRecommender.Fit"/> refuses with an <see cref="InvalidOperationException"/>.
    /// </value>
    public int MaxItems { get; init; } = 20_000;

    /// <summary>Whether X holds the interaction weights (true) or 1 for every touched item (false).</summary>
    /// <value>False by default: the original binary formulation.</value>
    public bool UseWeights { get; init; }

    /// <summary>
    /// How much of each interaction's own weight X holds (issue 12): x = (1 − s) + s·w / w̄, with w the
    /// user-item weight (summed over the pair's interactions: a rating, or the event weights of a store),
    /// w̄ its mean over the training pairs and s this share. 0 is the binary X (every touched item 1);
    /// 1 is X proportional to the weights, scaled to mean 1 so that λ keeps its meaning; in between, a
    /// strongly weighted pair (a 5-star rating, a purchase) counts more than a weak one without the weak
    /// one vanishing. The same x weigh the user's history when scoring. Takes precedence over
    /// <see cref="UseWeights"/> (the raw, unscaled weights).
    /// </summary>
    /// <value>0 by default (binary); must be in [0, 1].</value>
    public double WeightShare { get; init; }

    /// <summary>
    /// The dropout rate p of the denoising variant (EDLAE, Steck, NeurIPS 2020): each item's penalty
    /// grows with its own popularity, λ + p/(1 − p)·Gᵢᵢ, so popular items are shrunk harder than rare ones.
    /// </summary>
    /// <value>0 by default (plain EASE); must be in [0, 1).</value>
    public double Dropout { get; init; }

    /// <summary>
    /// How much of each co-occurrence counts by closeness in the user's timeline (issue 12): a pair of
    /// the user's items at ranks a and b of their order in time adds (1 − s) + s·exp(−|a − b| / w) to
    /// the Gram matrix instead of 1, with s this share and w <see cref="SequenceWindow"/>; the diagonal
    /// (item counts) is unchanged. Items a customer touched close together — in one session — then
    /// predict each other more strongly than items years apart in the same history.
    /// </summary>
    /// <value>0 by default (plain EASE, order ignored); must be in [0, 1].</value>
    public double SequenceWeight { get; init; }

    /// <summary>The timeline distance w (in ranks of the user's items ordered by time) of <see cref="SequenceWeight"/>'s kernel.</summary>
    /// <value>30 by default; must be positive. Pairs further apart than 12·w add only the (1 − s) part.</value>
    public double SequenceWindow { get; init; } = 30;

    /// <summary>
    /// How far the zero-diagonal constraint is relaxed, ξ (RDLAE: Moon, Kim and Lee, SIGIR 2023): the
    /// constraint diag(B) = 0 becomes diag(B) ≤ ξ. With P = (G + Λ)⁻¹ and Λ the diagonal penalty, column
    /// j of B is EASE's column (−Pᵢⱼ/Pⱼⱼ) times cⱼ = max(1 − ξ, ΛⱼPⱼⱼ): ξ = 0 is EASE, ξ = 1 the denoising
    /// auto-encoder without the constraint (DLAE, Steck 2020: B = I − PΛ), in between the constraint binds
    /// only for the items it would otherwise reconstruct from themselves. ΛⱼPⱼⱼ is smallest for popular
    /// items, so relaxing lowers their scores. The stored diagonal stays 0: it only ever scores the user's
    /// own items, which serving handles apart (repeat purchases, <see cref="HistoryBlend"/>).
    /// </summary>
    /// <value>0 by default (EASE); must be in [0, 1].</value>
    public double DiagonalRelaxation { get; init; }

    /// <summary>
    /// The exponent γ of the item normalisation of the learned weights (DAN, "Why is normalization
    /// necessary for linear recommenders?", Park et al., SIGIR 2025): W = D^γ·B·D^−γ with D the items'
    /// user counts, i.e. W[i, j] = B[i, j]·(nᵢ/nⱼ)^γ — a popular history item speaks louder and a popular
    /// target is damped, which a Gram matrix dominated by popular items otherwise over-rewards.
    /// </summary>
    /// <value>0 by default (no normalisation); must be in [0, 1].</value>
    public double PopularityNormalization { get; init; }

    /// <summary>The widest catalog on which <see cref="SequenceWeight"/> is honoured when the user-side solve is available.</summary>
    /// <value>
    /// 5,000 items by default. The timeline Gram is not XᵀX, so it needs the dense item-side inverse (O(n³): about a
    /// minute of 2 cores at 16,000 items, against about a second for the user side); above this width, with fewer
    /// users than items and <see cref="EaseSolver.Auto"/>, the order is ignored and the user side solves plain EASE
    /// (same as <see cref="SequenceWeight"/> 0), so a tuning trial never stalls on it.
    /// </value>
    public int MaxTimelineItems { get; init; } = 5_000;

    /// <summary>Which side EASE is solved on: the same B either way, up to rounding.</summary>
    /// <value>
    /// <see cref="EaseSolver.Auto"/> by default: the users × users solve (<see cref="EaseSolver.Users"/>)
    /// when there are fewer users than items and <see cref="SequenceWeight"/> is 0, else the items × items one.
    /// </value>
    public EaseSolver Solver { get; init; }
}

/// <summary>How <see cref="EaseRecommender"/> solves for B.</summary>
public enum EaseSolver
{
    /// <summary>Users when there are fewer users than items (and no timeline weighting), else items.</summary>
    Auto,

    /// <summary>Invert the items × items Gram matrix, O(n³) time and n² memory (refused above <see cref="EaseOptions.MaxItems"/>).</summary>
    Items,

    /// <summary>Invert a users × users matrix by the Woodbury identity, O(U³ + Σᵢ |users of i|²); n × n is never stored.</summary>
    Users,
}
