namespace Recommender.Functions.Tests;

/// <summary>
/// Options registered through <c>AddValidatedOptions</c> (source-generated validators over data
/// annotations, <c>ValidateOnStart</c>) stop the start on a value out of range, naming the setting.
/// </summary>
public sealed class OptionsValidationTests
{
    [Theory]
    [InlineData("Recommender:Bandit:ExplorationShare", "1.5", "ExplorationShare")]
    [InlineData("Recommender:Training:ConfidenceLevel", "2", "ConfidenceLevel")]
    [InlineData("Recommender:Training:TuningBudget", "3.00:00:00", "TuningBudget")]
    [InlineData("Recommender:Training:Holdout", "sideways", "Holdout")]
    [InlineData("Recommender:QueuePump:MaxDequeueCount", "0", "MaxDequeueCount")]
    [InlineData("Recommender:QueuePump:Lease", "00:00:00", "Lease")]
    [InlineData("Recommender:Scheduler:RetrainInterval", "00:00:10", "RetrainInterval")]
    [InlineData("Recommender:Seed:Customers", "0", "Customers")]
    [InlineData("Recommender:RenderedItemsMegabytes", "-1", "RenderedItemsMegabytes")]
    [InlineData("Recommender:RenderedItemsMegabytes", "4097", "RenderedItemsMegabytes")]
    public void OutOfRange_StopsTheStart_NamingTheSetting(string setting, string value, string named)
    {
        var error = TestApp.StartupError(new Dictionary<string, string> { ["Recommender:Mode"] = "Embedded", [setting] = value });

        Assert.Contains(named, error.ToString(), StringComparison.Ordinal);
    }
}
