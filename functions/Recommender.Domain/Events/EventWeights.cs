namespace Recommender.Domain.Events;

/// <summary>
/// Configuration section <c>Recommender:EventWeights</c>: THE table of how much each event says about
/// a customer's interest in a product. One instance is registered (<c>AddRecommenderDomain</c>) and
/// injected into the profile updates (affinities, dislikes), every trainer (implicit-feedback
/// weights, negative signals) and serving (history weights), so the three cannot disagree; every
/// trained model and its manifest record the table it was trained with (<see cref="ToTable"/>).
/// Positive weights must rise view ≤ wishlist ≤ cart ≤ purchase; a negative weight makes the event a
/// dislike (<c>not_interested</c>, a low rating, a return): the product leaves that customer's lists
/// and its pairs leave the training data. docs/configuration.md lists the defaults.
/// </summary>
public sealed class EventWeights
{
    public const string Section = "Recommender:EventWeights";

    /// <summary>The defaults, for code that runs without the app's configuration (tools, benchmarks, unit tests).</summary>
    public static EventWeights Default { get; } = new();

    /// <value>A product view. Default 1.</value>
    public double View { get; set; } = 1;
    /// <value>A wishlist add. Default 2.</value>
    public double WishlistAdd { get; set; } = 2;
    /// <value>An add to cart. Default 3.</value>
    public double AddToCart { get; set; } = 3;
    /// <value>A purchase (each order line). Default 5.</value>
    public double Purchase { get; set; } = 5;
    /// <value>A purchase of a product the customer had bought before (training counts each order; profiles each line). Default 5.</value>
    public double RepeatPurchase { get; set; } = 5;
    /// <value>A positive review (<c>review_write</c> rated above <see cref="LowRatingMax"/> + 1, i.e. 4–5 by default). Profiles only. Default 2.</value>
    public double PositiveReview { get; set; } = 2;
    /// <value>Lighter interest (<c>compare</c>, <c>review_read</c>, <c>video_view</c>, <c>image_zoom</c>, <c>recommendation_click</c>). Profiles only. Default 0.5.</value>
    public double Interest { get; set; } = 0.5;
    /// <value>A <c>not_interested</c> event (the customer said so). Negative: a dislike. Default −5.</value>
    public double NotInterested { get; set; } = -5;
    /// <value>A <c>review_write</c> rated <see cref="LowRatingMax"/> or less. Negative: a dislike. Default −3.</value>
    public double LowRating { get; set; } = -3;
    /// <value>A <c>return</c> (each returned line). Negative: a dislike. Default −3.</value>
    public double Return { get; set; } = -3;
    /// <value>The highest rating that counts as low (1–4). Default 2 (one and two stars).</value>
    public int LowRatingMax { get; set; } = 2;

    /// <summary>The interest scale rises (0 &lt; view ≤ wishlist ≤ cart ≤ purchase, repeat and positive signals ≥ 0) and the rating threshold is a rating.</summary>
    public bool IsValid =>
        View > 0 && View <= WishlistAdd && WishlistAdd <= AddToCart && AddToCart <= Purchase
        && RepeatPurchase >= 0 && PositiveReview >= 0 && Interest >= 0 && LowRatingMax is >= 1 and <= 4
        && new[] { View, WishlistAdd, AddToCart, Purchase, RepeatPurchase, PositiveReview, Interest, NotInterested, LowRating, Return }.All(double.IsFinite);

    /// <summary>
    /// The weight of <paramref name="e"/> for one of its products (<paramref name="repeat"/>: a purchase
    /// of a product bought before): positive for interest, negative for a dislike, 0 when the event says
    /// nothing about the product.
    /// </summary>
    public double WeightOf(ClickstreamEvent e, bool repeat = false)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.Type switch
        {
            EventType.ReviewWrite when e.Rating is { } rating => rating <= LowRatingMax ? LowRating : rating >= 4 ? PositiveReview : 0,
            EventType.Purchase when repeat => RepeatPurchase,
            _ => WeightOf(e.Type),
        };
    }

    /// <summary>The weight of an event type, rating and repetition aside (a <c>review_write</c> is 0 here: its rating decides).</summary>
    public double WeightOf(EventType type) => type switch
    {
        EventType.View => View,
        EventType.WishlistAdd => WishlistAdd,
        EventType.AddToCart => AddToCart,
        EventType.Purchase => Purchase,
        EventType.NotInterested => NotInterested,
        EventType.Return => Return,
        EventType.Compare or EventType.ReviewRead or EventType.VideoView or EventType.ImageZoom or EventType.RecommendationClick => Interest,
        _ => 0,
    };

    /// <summary>Whether <paramref name="e"/> is a dislike of its products under this table (a negative weight).</summary>
    public bool IsDislike(ClickstreamEvent e) => WeightOf(e) < 0;

    /// <summary>The table as recorded in a model and its manifest (names as configured).</summary>
    public IReadOnlyDictionary<string, double> ToTable() => new SortedDictionary<string, double>(StringComparer.Ordinal)
    {
        [nameof(View)] = View,
        [nameof(WishlistAdd)] = WishlistAdd,
        [nameof(AddToCart)] = AddToCart,
        [nameof(Purchase)] = Purchase,
        [nameof(RepeatPurchase)] = RepeatPurchase,
        [nameof(PositiveReview)] = PositiveReview,
        [nameof(Interest)] = Interest,
        [nameof(NotInterested)] = NotInterested,
        [nameof(LowRating)] = LowRating,
        [nameof(Return)] = Return,
        [nameof(LowRatingMax)] = LowRatingMax,
    };
}
