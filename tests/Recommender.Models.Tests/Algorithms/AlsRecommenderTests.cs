using Recommender.Models.Algorithms;

namespace Recommender.Models.Tests.Algorithms;

public sealed class AlsRecommenderTests
{
    private static readonly DateTimeOffset Start = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Two taste groups: users of group g touch a random half of group g's items only.</summary>
    private static List<Interaction> Blocks(int usersPerGroup = 60, int itemsPerGroup = 20, int seed = 5)
    {
        var random = new Random(seed);
        var result = new List<Interaction>();
        for (var group = 0; group < 2; group++)
        {
            for (var u = 0; u < usersPerGroup; u++)
            {
                for (var i = 0; i < itemsPerGroup; i++)
                {
                    if (random.NextDouble() < 0.5)
                    {
                        result.Add(new Interaction($"g{group}-u{u:D2}", $"g{group}-i{i:D2}", Start.AddMinutes(result.Count), 1 + random.Next(3)));
                    }
                }
            }
        }

        return result;
    }

    private static AlsOptions Small(bool trackLoss = false) => new() { Factors = 8, Iterations = 10, TrackLoss = trackLoss };

    [Fact]
    public void Fit_LossDecreasesEverySweep()
    {
        var sut = new AlsRecommender(Small(trackLoss: true));
        sut.Fit(Blocks(), new TrainingContext(Seed: 1));

        var loss = sut.LossHistory;
        Assert.Equal(10, loss.Count);
        for (var n = 1; n < loss.Count; n++)
        {
            Assert.True(loss[n] <= loss[n - 1] * (1 + 1e-6), $"loss rose at sweep {n + 1}: {loss[n - 1]} → {loss[n]}");
        }

        Assert.True(loss[^1] < loss[0]);
    }

    [Fact]
    public void Fit_SameSeed_SameFactors_BitForBit()
    {
        var data = Blocks();
        var first = new AlsRecommender(Small());
        var second = new AlsRecommender(Small());

        first.Fit(data, new TrainingContext(Seed: 9));
        second.Fit(data, new TrainingContext(Seed: 9));

        Assert.True(first.UserFactors.SequenceEqual(second.UserFactors));
        Assert.True(first.ItemFactors.SequenceEqual(second.ItemFactors));
    }

    [Fact]
    public void Fit_DifferentSeed_DifferentFactors()
    {
        var data = Blocks();
        var first = new AlsRecommender(Small());
        var second = new AlsRecommender(Small());

        first.Fit(data, new TrainingContext(Seed: 1));
        second.Fit(data, new TrainingContext(Seed: 2));

        Assert.False(first.UserFactors.SequenceEqual(second.UserFactors));
    }

    [Fact]
    public void Recommend_RecoversTheBlockStructure()
    {
        var data = Blocks();

        // Few factors: room for the two blocks, not for memorizing each user's random half.
        var sut = new AlsRecommender(Small() with { Factors = 4 });
        sut.Fit(data, new TrainingContext(Seed: 3));

        // For every user, the top n (n = the user's unseen items of their own group) should be those items.
        double inGroup = 0, slots = 0;
        foreach (var user in data.Select(i => i.User).Distinct())
        {
            var group = user[..3];
            var unseen = 20 - data.Count(i => i.User == user);
            var top = sut.Recommend(user, unseen, excludeSeen: true);
            inGroup += top.Count(r => r.Item.StartsWith(group, StringComparison.Ordinal));
            slots += unseen;
        }

        Assert.True(inGroup / slots > 0.95, $"only {inGroup}/{slots} of the top slots hold own-group items");
        Assert.All(sut.Recommend("g1-u05", 3, excludeSeen: true), r => Assert.StartsWith("g1-", r.Item, StringComparison.Ordinal));
    }

    [Fact]
    public void Recommend_SeenExcluded_UnknownUserGetsPopularity()
    {
        var data = Blocks();
        var sut = new AlsRecommender(Small());
        sut.Fit(data, new TrainingContext());

        var seen = data.Where(i => i.User == "g0-u00").Select(i => i.Item).ToHashSet();
        Assert.DoesNotContain(sut.Recommend("g0-u00", 20, excludeSeen: true), r => seen.Contains(r.Item));

        var mostPopular = data.GroupBy(i => i.Item).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
        Assert.Equal(mostPopular, sut.Recommend("stranger", 1, excludeSeen: true)[0].Item);
    }

    [Fact]
    public void SimilarItems_AreItemsOfTheSameBlock_ByFactorCosine()
    {
        var sut = new AlsRecommender(Small() with { Factors = 4 });
        sut.Fit(Blocks(), new TrainingContext(Seed: 3));

        var similar = sut.SimilarItems("g1-i03", 10);

        Assert.Equal(10, similar.Count);
        Assert.DoesNotContain(similar, s => s.Item == "g1-i03");
        Assert.All(similar, s => Assert.StartsWith("g1-", s.Item, StringComparison.Ordinal));
        Assert.All(similar, s => Assert.InRange(s.Score, 1e-9, 1 + 1e-6));
        Assert.Equal(similar.OrderByDescending(s => s.Score).Select(s => s.Item), similar.Select(s => s.Item));
        Assert.Equal(40, sut.Items.Count);
        Assert.Empty(sut.SimilarItems("not-trained", 5));
    }
}
