using Recommender.Domain.Profiles;

namespace Recommender.Domain.Recommendations;

/// <summary>
/// What the bandit knows of the customer a list is for: their lifecycle <see cref="Segment"/> (<c>vip</c>, <c>at-risk</c>,
/// <c>dormant</c>, <c>new</c>, <c>active</c>, <c>known</c> when in none, <c>anonymous</c> when not personalized for) and,
/// for customers personalized for, what their profile says (<see cref="Profile"/>:
/// tenure <c>newcomer</c>/<c>returning</c>, activity <c>light</c>/<c>regular</c>/<c>heavy</c> and price band
/// <c>budget</c>/<c>mid</c>/<c>premium</c>/<c>unknown</c>, joined by '_'). Its <see cref="Key"/> is part of the
/// recommendation id, so the feedback on a list credits the context it was served in.
/// </summary>
public readonly record struct BanditContext(string Segment, string? Profile = null)
{
    public const string Anonymous = "anonymous";
    public const string Known = "known";

    /// <summary>Returning: a second session or an order. Below that, a newcomer.</summary>
    public const int ReturningSessions = 2;
    /// <summary>Events applied to the profile from which activity is <c>regular</c>, and <c>heavy</c>.</summary>
    public const int RegularEvents = 10, HeavyEvents = 50;

    public static readonly IReadOnlyList<string> Tenures = ["newcomer", "returning"];
    public static readonly IReadOnlyList<string> Activities = ["light", "regular", "heavy"];
    public static readonly IReadOnlyList<string> PriceBands = ["budget", "mid", "premium", "unknown"];

    public static BanditContext None { get; } = new(Anonymous);

    /// <summary><c>segment</c> or <c>segment_tenure_activity_price</c> (letters, digits, '-' and '_': it fits in an id).</summary>
    public string Key => Profile is null ? Segment : $"{Segment}_{Profile}";

    /// <summary>The context of an arm's context key.</summary>
    public static BanditContext Parse(string key)
    {
        var underscore = key.IndexOf('_', StringComparison.Ordinal);
        return underscore < 0 ? new BanditContext(key) : new BanditContext(key[..underscore], key[(underscore + 1)..]);
    }

    /// <summary>What a profile says: <c>tenure_activity_price</c>.</summary>
    public static string ProfilePartOf(CustomerProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var tenure = profile.SessionCount >= ReturningSessions || profile.OrderCount > 0 ? "returning" : "newcomer";
        var activity = profile.EventCount >= HeavyEvents ? "heavy" : profile.EventCount >= RegularEvents ? "regular" : "light";
        var band = profile.PriceBandAffinities.Where(b => b.Value > 0).OrderByDescending(b => b.Value).ThenBy(b => b.Key, StringComparer.Ordinal)
            .Select(b => PriceBandOf(b.Key)).FirstOrDefault() ?? "unknown";
        return $"{tenure}_{activity}_{band}";
    }

    /// <summary>The profile's price bands (<see cref="ProfileUpdater.PriceBand"/>) in three: under 50 budget, 50–100 mid, 100 and more premium.</summary>
    public static string PriceBandOf(string profileBand) => profileBand switch
    {
        "0-25" or "25-50" => "budget",
        "50-100" => "mid",
        "100-250" or "250+" => "premium",
        _ => "unknown",
    };
}
