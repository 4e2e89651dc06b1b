namespace Recommender.Models;

/// <summary>
/// One implicit-feedback interaction: a user touched an item at a time with a weight (a view 1,
/// a cart add more, a purchase more still — or a rating in a rating data set). Ids are strings.
/// </summary>
public readonly record struct Interaction(string User, string Item, DateTimeOffset At, double Weight = 1.0);

/// <summary>A recommended item and its score (higher is better).</summary>
public readonly record struct ScoredItem(string Item, double Score);

/// <summary>Item attributes for content-based similarity and re-ranking features (category, brand, price band, ...).</summary>
public sealed record ItemAttributes(string Item, IReadOnlyDictionary<string, string> Attributes);

/// <summary>What the trained model will be asked to predict, for algorithms that learn from an internal split.</summary>
public enum PredictionTask
{
    /// <summary>What each user does next (serving; temporal and leave-last evaluation).</summary>
    Next,

    /// <summary>Which unseen items belong to a user, regardless of time (random-split evaluation).</summary>
    HeldOutItems,
}

/// <summary>What the training of one algorithm may use besides the interactions.</summary>
/// <param name="Seed">Seed of every random choice.</param>
/// <param name="Catalog">Item attributes, when known.</param>
/// <param name="Progress">Progress lines for long runs.</param>
/// <param name="Task">What the model will be judged on; <see cref="PredictionTask.Next"/> unless the evaluation says otherwise.</param>
public sealed record TrainingContext(int Seed = 42, IReadOnlyCollection<ItemAttributes>? Catalog = null, IProgress<string>? Progress = null, PredictionTask Task = PredictionTask.Next);
