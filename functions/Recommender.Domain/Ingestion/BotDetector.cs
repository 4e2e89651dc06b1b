using System.Text.RegularExpressions;

namespace Recommender.Domain.Ingestion;

/// <summary>
/// Keeps automated traffic out of profiles, counters and the training archive: a known bot or
/// scripting user agent, or a source (session, device or customer) sending more events than a
/// person can within a minute.
/// </summary>
public static partial class BotDetector
{
    /// <summary>More events than this from one source within any 60 seconds is not a person.</summary>
    public const int MaxEventsPerMinute = 120;

    /// <summary>Crawlers, monitors, headless browsers and HTTP libraries (case-insensitive).</summary>
    [GeneratedRegex(@"bot\b|bot/|crawl|spider|slurp|bingpreview|facebookexternalhit|embedly|headless|phantomjs|selenium|puppeteer|playwright|python-requests|python-urllib|aiohttp|curl/|wget/|libwww|httpclient|go-http-client|java/|okhttp|scrapy|axios/|node-fetch|lighthouse|pingdom|uptimerobot|statuscake|ahrefs|semrush|mj12|yandex|baiduspider|duckduckbot|applebot|petalbot|bytespider|gptbot|ccbot",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 50)]
    private static partial Regex KnownBots();

    /// <summary>
    /// Records rather than browsing: orders and their deliveries and returns, consent decisions,
    /// account facts, logins and catalog changes. They are never refused as automated traffic (a
    /// server-side order feed may well use an HTTP library) and do not count towards a source's pace.
    /// </summary>
    public static bool IsRecord(Events.EventType type) => type is Events.EventType.Purchase or Events.EventType.Delivery or Events.EventType.Return
        or Events.EventType.Consent or Events.EventType.Account or Events.EventType.Identify or Events.EventType.CatalogChange;

    public static bool IsKnownBot(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return false;
        }

        try
        {
            return KnownBots().IsMatch(userAgent);
        }
        catch (RegexMatchTimeoutException)
        {
            return true; // a user agent built to be slow to match is not a browser
        }
    }

    /// <summary>Sources with more than <see cref="MaxEventsPerMinute"/> events inside any 60-second window.</summary>
    public static HashSet<string> TooFast(IEnumerable<(string Source, DateTimeOffset At)> events, int maxPerMinute = MaxEventsPerMinute)
    {
        var fast = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in events.GroupBy(e => e.Source, StringComparer.Ordinal))
        {
            var times = group.Select(e => e.At).Order().ToArray();
            for (int start = 0, end = 0; end < times.Length; end++)
            {
                while (times[end] - times[start] >= TimeSpan.FromMinutes(1))
                {
                    start++;
                }

                if (end - start + 1 > maxPerMinute)
                {
                    fast.Add(group.Key);
                    break;
                }
            }
        }

        return fast;
    }
}
