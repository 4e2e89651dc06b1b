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

/// <summary>What the training of one algorithm may use besides the interactions.</summary>
public sealed record TrainingContext(int Seed = 42, IReadOnlyCollection<ItemAttributes>? Catalog = null, IProgress<string>? Progress = null);
