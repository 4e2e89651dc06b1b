using Recommender.Domain.Events;
using Recommender.Domain.Training;

namespace Recommender.Domain.Tests.Training;

public class PurchasePropensityTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// 300 customers over 60 days with a known signal: half stay active to the end (browsing and buying
    /// now and then), half lapse on a random day and are silent afterwards. Who was active lately buys next.
    /// </summary>
    public static List<ClickstreamEvent> KnownSignal(int customers = 300, int seed = 11)
    {
        var random = new Random(seed);
        var events = new List<ClickstreamEvent>();
        for (var c = 0; c < customers; c++)
        {
            var customer = $"c{c:D3}";
            var lapse = c % 2 == 0 ? 0 : 3 + random.Next(50); // days before now after which they stay away
            for (var daysAgo = 60; daysAgo > lapse; daysAgo--)
            {
                var at = Now.AddDays(-daysAgo).AddMinutes(random.Next(1440));
                if (random.NextDouble() < 0.5)
                {
                    events.Add(new ClickstreamEvent { Id = $"v-{c}-{daysAgo}", Type = EventType.View, CustomerId = customer, ProductId = $"p{random.Next(40)}", OccurredAt = at });
                }

                if (random.NextDouble() < 0.2)
                {
                    events.Add(new ClickstreamEvent
                    {
                        Id = $"o-{c}-{daysAgo}", Type = EventType.Purchase, CustomerId = customer, OrderId = $"order-{c}-{daysAgo}", OccurredAt = at.AddMinutes(5),
                        Lines = [new OrderLine($"p{random.Next(40)}", 1, 10m)],
                    });
                }
            }
        }

        return events;
    }

    [Fact]
    public void Fit_KnownSignal_AucOnTheNextWindowAboveTheFloor_AndWindowsAreRecorded()
    {
        var (model, record) = PurchasePropensity.Fit(KnownSignal(), Now, EventWeights.Default, new PropensityTrainingOptions { Window = TimeSpan.FromDays(14) });

        Assert.NotNull(model);
        Assert.True(record.Auc >= 0.8, $"AUC {record.Auc}");
        Assert.True(record.Used);
        Assert.Equal(Now - TimeSpan.FromDays(14), record.DataUpTo);
        Assert.Equal(Now, record.EvaluatedUntil);
        Assert.InRange(record.EvaluationBuyers, 1, record.EvaluationCustomers - 1);
        // Those active to the end score above those who lapsed, on average.
        var active = Enumerable.Range(0, 300).Where(c => c % 2 == 0).Average(c => model!.Score($"c{c:D3}"));
        var lapsed = Enumerable.Range(0, 300).Where(c => c % 2 == 1).Average(c => model!.Score($"c{c:D3}"));
        Assert.True(active > lapsed + 0.2, $"active {active}, lapsed {lapsed}");
    }

    [Fact]
    public void Fit_AucBelowTheMinimum_IsRecordedButNotUsed()
    {
        var (_, record) = PurchasePropensity.Fit(KnownSignal(), Now, EventWeights.Default, new PropensityTrainingOptions { MinimumAuc = 0.999 });

        Assert.False(record.Used);
        Assert.Contains("below 0.999", record.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_WithoutBuyersInAWindow_GivesNoModel_AndSaysWhy()
    {
        var views = KnownSignal().Where(e => e.Type == EventType.View).ToList();

        var (model, record) = PurchasePropensity.Fit(views, Now, EventWeights.Default, new PropensityTrainingOptions());

        Assert.Null(model);
        Assert.Null(record.Auc);
        Assert.Contains("buyers", record.Note, StringComparison.Ordinal);
    }
}
