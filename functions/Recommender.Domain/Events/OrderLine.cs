namespace Recommender.Domain.Events;

/// <summary>
/// One line of a purchase or a return. <see cref="Price"/> (unit price) is always present on
/// purchase lines; return lines may leave it out.
/// </summary>
public sealed record OrderLine(string ProductId, int Quantity, decimal? Price);
