namespace Recommender.Domain.Attribution;

/// <summary>
/// Configuration section <c>Recommender:Attribution</c>: the store currency, the attribution windows
/// and the retention of journeys and orders. Defaults and their reasoning are in <c>docs/attribution.md</c>;
/// the section is validated at start (<see cref="Validate"/>).
/// </summary>
public sealed class AttributionOptions
{
    public const string Section = "Recommender:Attribution";

    /// <value>The store's currency (ISO 4217). Amounts in it count as they are; a purchase or refund without a currency is taken to be in it.</value>
    public string Currency { get; set; } = "EUR";
    /// <value>
    /// Rates converting another currency into <see cref="Currency"/> (<c>USD: 0.92</c> means 1 USD = 0.92 EUR).
    /// An amount in a currency without a rate is dropped from revenue and attribution, and counted (<see cref="DroppedReasons.CurrencyMismatch"/>).
    /// </value>
    public Dictionary<string, decimal> ExchangeRates { get; set; } = new(StringComparer.Ordinal);
    /// <value>A click (recommendation, email or push click) earns a purchase at most this long after it. Default 7 days.</value>
    public TimeSpan ClickWindow { get; set; } = TimeSpan.FromDays(7);
    /// <value>A view (recommendation impression, email or push open) earns a purchase at most this long after it. Default 1 day.</value>
    public TimeSpan ViewWindow { get; set; } = TimeSpan.FromDays(1);
    /// <value>Time decay: a touch this much older than the purchase weighs half as much. Default 1 day.</value>
    public TimeSpan TimeDecayHalfLife { get; set; } = TimeSpan.FromDays(1);
    /// <value>An event stamped further than this ahead of the ingestion clock is not attributed (clock skew). Default 10 minutes, the validator's own limit.</value>
    public TimeSpan ClockSkewTolerance { get; set; } = TimeSpan.FromMinutes(10);
    /// <value>
    /// A touch that arrives after its purchase was recorded (late or out-of-order delivery, a device's clock) re-attributes that
    /// order when it happened before the purchase, within its window, and the order was recorded at most this long ago and has
    /// no refund. Default 1 day: later, the day's figures stay as reported. <c>00:00:00</c> turns re-attribution off.
    /// </value>
    public TimeSpan LateTouchGrace { get; set; } = TimeSpan.FromDays(1);
    /// <value>A consenting customer's journey document expires this long after its last write; touches older than the windows are pruned at every write. Default 30 days.</value>
    public TimeSpan JourneyRetention { get; set; } = TimeSpan.FromDays(30);
    /// <value>An order's attribution record (to reverse a refund exactly) lives this long after its last write. Default 180 days.</value>
    public TimeSpan OrderRetention { get; set; } = TimeSpan.FromDays(180);
    /// <value>At most this many touches are kept per journey (the newest). Default 200.</value>
    public int MaxTouches { get; set; } = 200;
    /// <value>The experiment variant name that marks a holdout (customers shown no recommendations): its revenue per user is the baseline of the uplift.</value>
    public string HoldoutVariant { get; set; } = "holdout";

    /// <summary>The longest window: touches older than this before any purchase can no longer earn it.</summary>
    public TimeSpan LongestWindow => ClickWindow > ViewWindow ? ClickWindow : ViewWindow;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!IsCurrency(Currency))
        {
            errors.Add("Currency must be an ISO 4217 code (three capital letters)");
        }

        foreach (var (currency, rate) in ExchangeRates)
        {
            if (!IsCurrency(currency) || rate <= 0)
            {
                errors.Add($"ExchangeRates:{currency} must be a positive rate keyed by an ISO 4217 code");
            }
        }

        if (ClickWindow <= TimeSpan.Zero || ClickWindow > TimeSpan.FromDays(90) || ViewWindow <= TimeSpan.Zero || ViewWindow > TimeSpan.FromDays(90))
        {
            errors.Add("ClickWindow and ViewWindow must be more than 0 and at most 90 days");
        }

        if (TimeDecayHalfLife <= TimeSpan.Zero)
        {
            errors.Add("TimeDecayHalfLife must be more than 0");
        }

        if (ClockSkewTolerance < TimeSpan.Zero || ClockSkewTolerance > TimeSpan.FromDays(1))
        {
            errors.Add("ClockSkewTolerance must be from 0 to 1 day");
        }

        if (LateTouchGrace < TimeSpan.Zero || LateTouchGrace > TimeSpan.FromDays(30))
        {
            errors.Add("LateTouchGrace must be from 0 to 30 days");
        }

        if (JourneyRetention < LongestWindow || JourneyRetention > TimeSpan.FromDays(790))
        {
            errors.Add("JourneyRetention must be at least the longest window and at most 790 days");
        }

        if (OrderRetention < TimeSpan.FromDays(1) || OrderRetention > TimeSpan.FromDays(790))
        {
            errors.Add("OrderRetention must be from 1 to 790 days");
        }

        if (MaxTouches is < 1 or > 2000)
        {
            errors.Add("MaxTouches must be from 1 to 2000");
        }

        if (!Events.EventValidator.IsValidId(HoldoutVariant))
        {
            errors.Add("HoldoutVariant must be a variant name");
        }

        return errors;
    }

    /// <summary>The amount in the store currency, or null when it cannot be converted.</summary>
    public decimal? ToStoreCurrency(decimal amount, string? currency) =>
        currency is null || string.Equals(currency, Currency, StringComparison.Ordinal) ? amount
        : ExchangeRates.TryGetValue(currency, out var rate) ? Math.Round(amount * rate, 2, MidpointRounding.ToEven)
        : null;

    private static bool IsCurrency(string? code) => code is { Length: 3 } && code.All(char.IsAsciiLetterUpper);
}
