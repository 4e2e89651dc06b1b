namespace Recommender.Models.Evaluation;

/// <summary>
/// Random split stratified by user, as Microsoft Recommenders' <c>python_stratified_split</c>: each
/// user's interactions are shuffled with the seeded generator and the first
/// round(<c>ratio</c> · n) (round half to even, as Python's <c>round</c>) go to training, the rest are
/// held out — so every user with two or more interactions appears on both sides, and a user with one
/// stays in training. Users are visited in ordinal order of their ids, so the split depends only on
/// the data and the seed. Every held-out interaction is relevant.
/// </summary>
public sealed class RandomSplitter(double ratio = 0.75, int seed = 42) : IDataSplitter
{
    public string Name => "random";

    public DataSplit Split(IReadOnlyList<Interaction> interactions)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        if (ratio is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(interactions), ratio, "the training ratio must be between 0 and 1");
        }

        var random = new Random(seed);
        var train = new List<Interaction>();
        var test = new List<Interaction>();
        foreach (var group in interactions.GroupBy(i => i.User, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var rows = group.ToArray();
            random.Shuffle(rows);
            var trainCount = (int)Math.Round(ratio * rows.Length, MidpointRounding.ToEven);
            train.AddRange(rows.AsSpan(0, trainCount));
            test.AddRange(rows.AsSpan(trainCount));
        }

        return new DataSplit(Name, train, test);
    }
}
