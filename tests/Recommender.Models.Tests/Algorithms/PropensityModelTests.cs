using Recommender.Models.Propensity;
using Xunit.Abstractions;

namespace Recommender.Models.Tests.Algorithms;

public sealed class PropensityModelTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Start = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// 120 days of a store where recency drives purchase: each user is active from a start day until
    /// a lapse day (browsing most days, buying now and then) and silent afterwards, except for rare
    /// returns. A user seen recently is likely still active, so likely to buy in the next two weeks.
    /// </summary>
    private static List<Interaction> Store(int users = 500, int seed = 21)
    {
        var random = new Random(seed);
        var result = new List<Interaction>();
        for (var u = 0; u < users; u++)
        {
            var user = $"user-{u:D3}";
            var first = random.Next(80);
            var lapse = first + 5 + random.Next(120);
            for (var day = first; day < 120; day++)
            {
                var active = day < lapse ? 0.6 : 0.01;
                if (random.NextDouble() >= active)
                {
                    continue;
                }

                var at = Start.AddDays(day).AddMinutes(random.Next(1440));
                result.Add(new Interaction(user, $"item-{random.Next(200)}", at, 1));
                if (random.NextDouble() < 0.15)
                {
                    result.Add(new Interaction(user, $"item-{random.Next(200)}", at.AddMinutes(5), 5));
                }
            }
        }

        return result;
    }

    [Fact]
    public void Train_RecencyDrivesPurchase_AucOnTheHeldOutWindowAbove07()
    {
        var result = PropensityModel.Train(Store(), new PropensityOptions { Window = TimeSpan.FromDays(14) });

        var e = result.Evaluation;
        output.WriteLine(
            $"propensity AUC {e.Auc:F3}, AUPRC {e.AreaUnderPrecisionRecallCurve:F3}, log-loss {e.LogLoss:F3}; " +
            $"trained on {e.TrainingExamples} users ({e.TrainingPositives} buyers) as of {e.TrainingCutoff:yyyy-MM-dd}, " +
            $"evaluated on {e.EvaluationExamples} users ({e.EvaluationPositives} buyers) as of {e.EvaluationCutoff:yyyy-MM-dd}");
        Assert.True(e.Auc > 0.7, $"AUC {e.Auc}");
        Assert.Equal(e.EvaluationCutoff - TimeSpan.FromDays(14), e.TrainingCutoff);
        Assert.InRange(e.EvaluationPositives, 1, e.EvaluationExamples - 1);
    }

    [Fact]
    public void Score_RecentUserAboveLapsedUser()
    {
        var data = Store();
        var cutoff = data.Max(i => i.At);
        data.Add(new Interaction("recent", "item-1", cutoff.AddDays(-1), 1));
        data.Add(new Interaction("recent", "item-2", cutoff.AddDays(-2), 5));
        data.Add(new Interaction("recent", "item-3", cutoff.AddDays(-3), 1));
        data.Add(new Interaction("lapsed", "item-1", cutoff.AddDays(-90), 1));
        data.Add(new Interaction("lapsed", "item-2", cutoff.AddDays(-91), 5));
        data.Add(new Interaction("lapsed", "item-3", cutoff.AddDays(-92), 1));

        var model = PropensityModel.Train(data).Model;

        Assert.True(model.Score("recent") > model.Score("lapsed"));
        Assert.InRange(model.Score("never-seen"), 0, 1);
        Assert.Contains(model.ScoreAll(), p => p.User == "recent");
    }

    [Fact]
    public void Train_SameSeed_SameModel()
    {
        var data = Store(users: 300);

        var first = PropensityModel.Train(data, new PropensityOptions { Seed = 3 });
        var second = PropensityModel.Train(data, new PropensityOptions { Seed = 3 });

        Assert.Equal(first.Evaluation, second.Evaluation);
        Assert.Equal(first.Model.ScoreAll(), second.Model.ScoreAll());
    }

    [Fact]
    public void Train_NoPurchases_RefusesWithAClearMessage()
    {
        var data = Store(users: 50).Select(i => i with { Weight = 1 }).ToList();

        var error = Assert.Throws<InvalidOperationException>(() => PropensityModel.Train(data));

        Assert.Contains("buyers", error.Message, StringComparison.Ordinal);
    }
}
