namespace Recommender.Models.Evaluation;

/// <summary>A train/test split of interactions made by one protocol.</summary>
public sealed record DataSplit(string Protocol, IReadOnlyList<Interaction> Train, IReadOnlyList<Interaction> Test);

/// <summary>An evaluation protocol: how interactions are divided into training and held-out data.</summary>
public interface IDataSplitter
{
    /// <summary>The CLI name (<c>--protocol</c>).</summary>
    string Name { get; }

    DataSplit Split(IReadOnlyList<Interaction> interactions);
}
