namespace Recommender.Models.Evaluation;

/// <summary>
/// Temporal split: interactions before the cut-off train, those at or after it are held out. The
/// default cut-off leaves the last <c>testFraction</c> (20 %) of the data's time span for testing.
/// Test users are the users with held-out interactions and training history; held-out interactions
/// of users new after the cut-off are dropped (no history to personalize from).
/// </summary>
public sealed class TemporalSplitter(double testFraction = 0.2, DateTimeOffset? cutoff = null) : IDataSplitter
{
    public string Name => "temporal";

    /// <summary>The cut-off this splitter uses for <paramref name="interactions"/>.</summary>
    public DateTimeOffset CutoffFor(IReadOnlyList<Interaction> interactions)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        if (cutoff is { } fixedCutoff)
        {
            return fixedCutoff;
        }

        if (testFraction is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(interactions), testFraction, "the test fraction must be between 0 and 1");
        }

        if (interactions.Count == 0)
        {
            return DateTimeOffset.UnixEpoch;
        }

        var first = interactions.Min(i => i.At);
        var last = interactions.Max(i => i.At);
        return first + ((last - first) * (1 - testFraction));
    }

    public DataSplit Split(IReadOnlyList<Interaction> interactions)
    {
        var at = CutoffFor(interactions);
        var train = interactions.Where(i => i.At < at).ToList();
        var trainUsers = train.Select(i => i.User).ToHashSet(StringComparer.Ordinal);
        var test = interactions.Where(i => i.At >= at && trainUsers.Contains(i.User)).ToList();
        return new DataSplit(Name, train, test);
    }
}
