namespace Recommender.Models.Evaluation;

/// <summary>
/// Each user's latest interactions held out: a user's interactions are ordered by time (ties keep
/// input order) and the last round(<c>testFraction</c> · n) of them, at least one, are held out — what
/// comes next for every user, rather than one global window that only recent users reach. Users
/// with fewer than <c>minimumInteractions</c> interactions stay in training untested.
/// </summary>
public sealed class LatestFractionSplitter(double testFraction = 0.25, int minimumInteractions = 2) : IDataSplitter
{
    public string Name => "latest";

    public DataSplit Split(IReadOnlyList<Interaction> interactions)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        if (testFraction is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(interactions), testFraction, "the test fraction must be between 0 and 1");
        }

        var heldOut = new HashSet<int>();
        foreach (var group in Enumerable.Range(0, interactions.Count).GroupBy(n => interactions[n].User, StringComparer.Ordinal))
        {
            var rows = group.OrderBy(n => interactions[n].At).ThenBy(n => n).ToArray();
            if (rows.Length < Math.Max(2, minimumInteractions))
            {
                continue;
            }

            var test = Math.Clamp((int)Math.Round(testFraction * rows.Length, MidpointRounding.ToEven), 1, rows.Length - 1);
            heldOut.UnionWith(rows.AsSpan(rows.Length - test).ToArray());
        }

        var train = new List<Interaction>(interactions.Count - heldOut.Count);
        var held = new List<Interaction>(heldOut.Count);
        for (var n = 0; n < interactions.Count; n++)
        {
            (heldOut.Contains(n) ? held : train).Add(interactions[n]);
        }

        return new DataSplit(Name, train, held);
    }
}
