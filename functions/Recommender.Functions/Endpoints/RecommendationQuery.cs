using System.Collections.Frozen;
using System.ComponentModel;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Recommender.Domain.Events;
using Recommender.Domain.Recommendations;

namespace Recommender.Functions.Endpoints;

/// <summary>
/// <c>GET /api/recommendations/{customerId}</c>'s parameters, bound with <c>[AsParameters]</c>. Every value is
/// a string so that <see cref="Validate"/> (the route's endpoint filter) answers every malformed one in one 400
/// naming it; once valid, <see cref="Request"/> is what the handler serves.
/// </summary>
public sealed record RecommendationQuery(
    [property: FromRoute(Name = "customerId"), Description("The customer or visitor id: 1-128 letters, digits or - _ . : @.")]
    string CustomerId,
    [property: FromQuery(Name = "placement"), Description("home (default), product, also_bought, cart, complete_the_look, trending, recently_viewed or email.")]
    string? Placement,
    [property: FromQuery(Name = "count"), Description("How many items: a whole number from 1 to 50; default 10 (4 for email).")]
    string? Count,
    [property: FromQuery(Name = "productId"), Description("The product being looked at; required by product, also_bought and complete_the_look.")]
    string? ProductId,
    [property: FromQuery(Name = "recent"), Description("The session's recently viewed product ids, newest first: at most 20, repeated or comma-separated.")]
    string[]? Recent,
    [property: FromQuery(Name = "includeCategories"), Description("Only these categories: at most 20, repeated or comma-separated.")]
    string[]? IncludeCategories,
    [property: FromQuery(Name = "excludeCategories"), Description("Never these categories: at most 20, repeated or comma-separated.")]
    string[]? ExcludeCategories,
    [property: FromQuery(Name = "includeBrands"), Description("Only these brands: at most 20, repeated or comma-separated.")]
    string[]? IncludeBrands,
    [property: FromQuery(Name = "excludeBrands"), Description("Never these brands: at most 20, repeated or comma-separated.")]
    string[]? ExcludeBrands,
    [property: FromQuery(Name = "maxPerBrand"), Description("At most this many items of one brand: 1 to 50.")]
    string? MaxPerBrand,
    [property: FromQuery(Name = "maxPerCategory"), Description("At most this many items of one category: 1 to 50.")]
    string? MaxPerCategory,
    [property: FromQuery(Name = "diversity"), Description("From 0 (most varied) to 1 (relevance only); default the placement's.")]
    string? Diversity,
    [property: FromQuery(Name = "window"), Description("The trending placement's window: 1h, 24h or 7d.")]
    string? Window,
    [property: FromQuery(Name = "category"), Description("The trending placement's category (at most 64 characters).")]
    string? Category) : IValidatedRequest
{
    private const int MaxFilterValues = 20;

    private RecommendationRequest? _request;

    /// <summary>The request to serve; set by a successful <see cref="Validate"/>.</summary>
    public RecommendationRequest Request => _request ?? throw new InvalidOperationException("the query was not validated");

    public Dictionary<string, string[]>? Validate()
    {
        Dictionary<string, string[]>? errors = null;
        CheckId(ref errors, "customerId", CustomerId);
        var placement = Domain.Recommendations.Placement.Home;
        if (Placement is { Length: > 0 } placementName && !Placements.ByName.TryGetValue(placementName, out placement))
        {
            Add(ref errors, "placement", $"placement must be one of: {string.Join(", ", Placements.ByName.Keys)}");
        }

        var count = Integer(ref errors, "count", Count, 1, RecommendationRequest.MaxCount)
            ?? (placement == Domain.Recommendations.Placement.Email ? RecommendationsEndpoints.DefaultEmailCount : RecommendationsEndpoints.DefaultCount);
        var productId = ProductId is { Length: > 0 } p ? p : null;
        if (productId is not null)
        {
            CheckId(ref errors, "productId", productId);
        }
        else if (Placements.NeedsProduct(placement))
        {
            Add(ref errors, "productId", $"the {Placements.NameOf(placement)} placement needs a productId");
        }

        var session = List(ref errors, "recent", Recent, RecommendationRequest.MaxSessionItems, ids: true);
        var filters = new ServingFilters
        {
            IncludeCategories = Set(List(ref errors, "includeCategories", IncludeCategories, MaxFilterValues)),
            ExcludeCategories = Set(List(ref errors, "excludeCategories", ExcludeCategories, MaxFilterValues)),
            IncludeBrands = Set(List(ref errors, "includeBrands", IncludeBrands, MaxFilterValues)),
            ExcludeBrands = Set(List(ref errors, "excludeBrands", ExcludeBrands, MaxFilterValues)),
            MaxPerBrand = Integer(ref errors, "maxPerBrand", MaxPerBrand, 1, RecommendationRequest.MaxCount),
            MaxPerCategory = Integer(ref errors, "maxPerCategory", MaxPerCategory, 1, RecommendationRequest.MaxCount),
        };
        double? diversity = null;
        if (Diversity is { Length: > 0 } d)
        {
            if (double.TryParse(d, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 1)
            {
                diversity = value;
            }
            else
            {
                Add(ref errors, "diversity", "diversity must be a number from 0 (most varied) to 1 (relevance only)");
            }
        }

        TimeSpan? window = Window switch
        {
            null or "" => null,
            "1h" => TimeSpan.FromHours(1),
            "24h" => TimeSpan.FromDays(1),
            "7d" => TimeSpan.FromDays(7),
            _ => Error(ref errors, "window", "window must be one of: 1h, 24h, 7d"),
        };
        var category = Category is { Length: > 0 } c ? c : null;
        if (category is { Length: > 64 })
        {
            Add(ref errors, "category", "category must be at most 64 characters");
        }

        if (errors is not null)
        {
            return errors;
        }

        _request = new RecommendationRequest(CustomerId, placement, count, productId)
        {
            SessionItems = session,
            Filters = filters,
            Diversity = diversity,
            Category = category,
            Window = window,
        };
        return null;
    }

    private static void Add(ref Dictionary<string, string[]>? errors, string field, string message) => (errors ??= [])[field] = [message];

    private static void CheckId(ref Dictionary<string, string[]>? errors, string field, string value)
    {
        if (!EventValidator.IsValidId(value))
        {
            Add(ref errors, field, $"{field} must be 1-128 letters, digits or - _ . : @");
        }
    }

    private static int? Integer(ref Dictionary<string, string[]>? errors, string name, string? text, int min, int max)
    {
        if (text is not { Length: > 0 })
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        Add(ref errors, name, $"{name} must be a whole number from {min} to {max}");
        return null;
    }

    private static List<string> List(ref Dictionary<string, string[]>? errors, string name, string[]? given, int max, bool ids = false)
    {
        if (given is not { Length: > 0 })
        {
            return [];
        }

        var values = given.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        if (values.Count > max)
        {
            Add(ref errors, name, $"{name} takes at most {max} values");
        }
        else if (values.FirstOrDefault(v => ids ? !EventValidator.IsValidId(v) : v.Length > 64 || v.Any(char.IsControl)) is { } bad)
        {
            Add(ref errors, name, $"{name} has an invalid value '{(bad.Length > 20 ? bad[..20] + "…" : bad)}'");
        }

        return values;
    }

    private static IReadOnlySet<string> Set(List<string> values) =>
        values.Count == 0 ? FrozenSet<string>.Empty : new HashSet<string>(values, StringComparer.OrdinalIgnoreCase);

    private static TimeSpan? Error(ref Dictionary<string, string[]>? errors, string field, string message)
    {
        Add(ref errors, field, message);
        return null;
    }
}
