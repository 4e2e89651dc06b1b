using Recommender.Domain.Ingestion;

namespace Recommender.Domain.Tests.Ingestion;

public class BotDetectorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")]
    [InlineData("Mozilla/5.0 (compatible; bingbot/2.0)")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 Safari/537.36")]
    [InlineData("python-requests/2.31.0")]
    [InlineData("curl/8.4.0")]
    [InlineData("facebookexternalhit/1.1")]
    public void IsKnownBot_RecognisesCrawlersAndScripts(string userAgent) => Assert.True(BotDetector.IsKnownBot(userAgent));

    [Theory]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36")]
    [InlineData("ShopApp/4.2 (Android 14; Pixel 8)")]
    [InlineData(null)]
    [InlineData("")]
    public void IsKnownBot_LetsPeopleThrough(string? userAgent) => Assert.False(BotDetector.IsKnownBot(userAgent));

    [Fact]
    public void TooFast_FlagsASourceOverTheLimitWithinAMinute()
    {
        var burst = Enumerable.Range(0, 121).Select(i => ("scraper", T0.AddMilliseconds(i * 400)));
        var person = Enumerable.Range(0, 200).Select(i => ("person", T0.AddSeconds(i * 2)));

        var fast = BotDetector.TooFast(burst.Concat(person));

        Assert.Equal(["scraper"], fast);
    }

    [Fact]
    public void TooFast_ExactlyAtTheLimit_IsAPerson()
    {
        var events = Enumerable.Range(0, BotDetector.MaxEventsPerMinute).Select(i => ("s", T0.AddMilliseconds(i * 100)));

        Assert.Empty(BotDetector.TooFast(events));
    }
}
