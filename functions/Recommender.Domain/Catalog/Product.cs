namespace Recommender.Domain.Catalog;

/// <summary>A catalog product as the recommendations show it.</summary>
public sealed record Product(string Id, string Name, string Category, decimal Price, bool InStock = true, string? Brand = null, string? ImageUrl = null, string? Url = null);
