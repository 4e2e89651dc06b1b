using Recommender.Domain.Segments;

namespace Recommender.Domain.Tests.Segments;

/// <summary>
/// The churn and lifetime-value models on generated customers with a known signal: each buys as a
/// Poisson process at a rate of their own (some stop for good partway), with an order value of their
/// own. The floors would fail for a model that ignored its features.
/// </summary>
public class ScoreModelTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Churn_AucOnTheLatestWindow_AboveTheFloor_AndLifetimeValueBeatsTheRunRate()
    {
        var histories = SyntheticCustomers.Generate(1500, Now, TimeSpan.FromDays(4 * 365), seed: 11);
        var options = new SegmentationOptions { ChurnWindow = TimeSpan.FromDays(60) };

        var (models, report) = CustomerScoreModels.Train(histories, Now, options);

        Assert.NotNull(report.ChurnAuc);
        Assert.True(report.ChurnAuc >= 0.75, $"churn AUC {report.ChurnAuc} on the latest window");
        Assert.Equal(60, report.ChurnWindowDays);
        Assert.Equal(365, report.LifetimeWindowDays);
        Assert.Equal("gradient-boosted-trees", report.LifetimeMethod);
        Assert.True(report.LifetimeMaeModel < report.LifetimeMaeRunRate, $"MAE {report.LifetimeMaeModel} vs run rate {report.LifetimeMaeRunRate}");
        var meanSpend = histories.Average(h => (double)h.SpentBetween(Now - TimeSpan.FromDays(365), Now));
        Assert.True(report.LifetimeMaeModel < 0.8 * meanSpend, $"MAE {report.LifetimeMaeModel} against a mean yearly spend of {meanSpend:0.##}");

        // The scores order customers as the signal does: a frequent recent buyer vs one silent for a year.
        var loyal = new CustomerActivity(30, 1500m, Now.AddDays(-700), Now.AddDays(-5), Now.AddDays(-1), 200);
        var lapsed = new CustomerActivity(3, 150m, Now.AddDays(-900), Now.AddDays(-400), Now.AddDays(-400), 20);
        Assert.True(models.Churn(loyal, Now) < models.Churn(lapsed, Now));
        Assert.True(models.Lifetime(loyal, Now, 365) > models.Lifetime(lapsed, Now, 365));
        Assert.True(CustomerScoreModels.NextPurchase(models.Churn(loyal, Now), models.ChurnWindowDays, Now) < CustomerScoreModels.NextPurchase(models.Churn(lapsed, Now), models.ChurnWindowDays, Now));
    }

    [Fact]
    public void SavedModels_LoadAndScoreTheSame()
    {
        var histories = SyntheticCustomers.Generate(400, Now, TimeSpan.FromDays(2 * 365), seed: 5);
        var (models, _) = CustomerScoreModels.Train(histories, Now, new SegmentationOptions { ChurnWindow = TimeSpan.FromDays(60) });
        using var churn = new MemoryStream();
        using var ltv = new MemoryStream();
        models.Save(churn, ltv);
        churn.Position = 0;
        ltv.Position = 0;
        var loaded = CustomerScoreModels.Load(churn, ltv.Length > 0 ? ltv : null, models.ChurnWindowDays, models.LifetimeScale);
        var someone = new CustomerActivity(4, 220m, Now.AddDays(-300), Now.AddDays(-20), Now.AddDays(-3), 40);
        Assert.Equal(models.Churn(someone, Now), loaded.Churn(someone, Now));
        Assert.Equal(models.Lifetime(someone, Now, 365), loaded.Lifetime(someone, Now, 365));
    }

    [Fact]
    public void ShortArchive_ShrinksTheWindows_AndTooFewCustomersMeansNoChurnModel()
    {
        var histories = SyntheticCustomers.Generate(20, Now, TimeSpan.FromDays(30), seed: 2);
        var (models, report) = CustomerScoreModels.Train(histories, Now, new SegmentationOptions());
        Assert.Null(report.ChurnAuc);
        Assert.Null(models.Churn(new CustomerActivity(1, 10m, Now.AddDays(-3), Now.AddDays(-3), Now.AddDays(-1), 3), Now));
        Assert.Equal("run-rate", report.LifetimeMethod);
        Assert.NotNull(report.Note);
        Assert.True(report.ChurnWindowDays <= 10);
    }

    [Fact]
    public void Auc_HandComputed()
    {
        // Positives at 0.9 and 0.4, negatives at 0.5 and 0.1: 3 of 4 pairs ordered right.
        Assert.Equal(0.75, CustomerScoreModels.Auc([(0.9, true), (0.4, true), (0.5, false), (0.1, false)]));
        Assert.Equal(0.5, CustomerScoreModels.Auc([(0.3, true), (0.3, false)])); // a tie counts half
    }
}

/// <summary>Customers with a known signal (also what the benchmark generates).</summary>
internal static class SyntheticCustomers
{
    public static List<CustomerHistory> Generate(int customers, DateTimeOffset now, TimeSpan span, int seed)
    {
        var random = new Random(seed);
        var list = new List<CustomerHistory>(customers);
        for (var c = 0; c < customers; c++)
        {
            var history = new CustomerHistory();
            var start = now - span + TimeSpan.FromDays(random.NextDouble() * span.TotalDays * 0.8);
            var ratePerDay = Math.Exp(-6 + 3.5 * random.NextDouble()); // one order every ~13 to ~400 days
            var orderValue = Math.Round(20 + 180 * random.NextDouble(), 2);
            var stopsAt = random.NextDouble() < 0.4 ? start + TimeSpan.FromDays(random.NextDouble() * (now - start).TotalDays) : DateTimeOffset.MaxValue;
            var at = start;
            history.Seen.Add(start);
            while (true)
            {
                at += TimeSpan.FromDays(-Math.Log(1 - random.NextDouble()) / ratePerDay);
                if (at >= now || at >= stopsAt)
                {
                    break;
                }

                history.Seen.Add(at);
                history.Orders.Add((at, (decimal)Math.Round(orderValue * (0.7 + 0.6 * random.NextDouble()), 2)));
            }

            list.Add(history);
        }

        return list;
    }
}
