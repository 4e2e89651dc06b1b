namespace Recommender.Models.Evaluation;

/// <summary>
/// Leave-last-out: each user's latest interaction (by timestamp; on a tie the one later in the input)
/// is held out and everything else trains; the model ranks the full catalog (no sampled negatives).
/// Users with a single interaction have nothing to train on and stay in training untested.
/// </summary>
public sealed class LeaveLastSplitter : IDataSplitter
{
    public string Name => "leave-last";

    public DataSplit Split(IReadOnlyList<Interaction> interactions)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        var latest = new Dictionary<string, int>(StringComparer.Ordinal);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var n = 0; n < interactions.Count; n++)
        {
            var user = interactions[n].User;
            counts[user] = counts.GetValueOrDefault(user) + 1;
            if (!latest.TryGetValue(user, out var best) || interactions[n].At >= interactions[best].At)
            {
                latest[user] = n;
            }
        }

        var heldOut = latest.Where(p => counts[p.Key] > 1).Select(p => p.Value).ToHashSet();
        var train = new List<Interaction>(interactions.Count);
        var test = new List<Interaction>(heldOut.Count);
        for (var n = 0; n < interactions.Count; n++)
        {
            (heldOut.Contains(n) ? test : train).Add(interactions[n]);
        }

        return new DataSplit(Name, train, test);
    }
}
