using Recommender.Functions.Endpoints;

namespace Recommender.Functions.Security;

/// <summary>Which public routes the storefront calls, and which must never take a storefront key.</summary>
public static class StorefrontRoutes
{
    /// <summary>The header a storefront client sends its key in.</summary>
    public const string ApiKeyHeader = "X-Api-Key";

    /// <summary><c>POST /api/events</c> and every <c>/api/recommendations/...</c> route.</summary>
    public static bool IsStorefront(PathString path) =>
        path.StartsWithSegments(ApiRoutes.Recommendations, StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(ApiRoutes.Events, StringComparison.OrdinalIgnoreCase);

    /// <summary>The admin and privacy routes: protected by Functions keys (and later Entra ID), never by a storefront key.</summary>
    public static bool IsProtected(PathString path) =>
        path.StartsWithSegments(ApiRoutes.Admin, StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments(ApiRoutes.Privacy, StringComparison.OrdinalIgnoreCase);
}
