using System.Security.Cryptography;
using System.Text;
using Recommender.Domain.Catalog;
using Recommender.Domain.Profiles;

namespace Recommender.Domain.Workflows;

/// <summary>A product as a workflow message shows it: the catalog's name, price, image and link (absent when the catalog does not know it).</summary>
public sealed record ProductCard(string ProductId, string? Name, decimal? Price, string? ImageUrl, string? Url)
{
    public static ProductCard Of(string productId, IReadOnlyDictionary<string, Product> products) =>
        products.TryGetValue(productId, out var p) ? new(productId, p.Name, p.Price, p.ImageUrl, p.Url) : new(productId, null, null, null, null);
}

/// <summary>What the lifecycle workflows share when they decide a message.</summary>
public static class WorkflowMessages
{
    /// <summary>Longest message id kept readable; the outbox document id (<c>msg:</c> + id) must stay under Cosmos DB's 255 characters.</summary>
    public const int MaxMessageIdLength = 200;

    /// <summary>
    /// The idempotency key of a message: its parts joined with ':' (<c>post-purchase:c1:o-1</c>); when
    /// that would be longer than <see cref="MaxMessageIdLength"/> (ids of 128 characters each), the first
    /// part and the SHA-256 of the whole — still one key per message, the same on every attempt.
    /// </summary>
    public static string MessageId(params string[] parts)
    {
        var id = string.Join(':', parts);
        return id.Length <= MaxMessageIdLength ? id : $"{parts[0]}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)))}";
    }

    /// <summary>
    /// Why a personalized message about the customer's own behaviour may not be decided now (the
    /// send rules check consent and suppression again at send time); null when it may.
    /// </summary>
    public static string? SuppressionReason(CustomerProfile? profile, string channel, bool providerConfigured, DateTimeOffset now) => profile switch
    {
        null => "suppressed: customer unknown",
        _ when !profile.PersonalizationAllowed(now) => "suppressed: personalization not allowed",
        _ when !profile.HasConsent(channel) => $"suppressed: no {channel} consent",
        _ when !providerConfigured => $"suppressed: no {channel} provider configured",
        _ => null,
    };
}
