namespace Recommender.Functions.Endpoints;

/// <summary>
/// The public API's route groups and OpenAPI tags, declared once: each <c>…Endpoints.Map…Api</c> maps its
/// routes in its group (<c>app.MapGroup(ApiRoutes.Admin).WithTags(ApiRoutes.ModelsTag)</c>), and
/// <see cref="Security.StorefrontRoutes"/> tells the storefront and operator groups apart by the same prefixes.
/// </summary>
public static class ApiRoutes
{
    /// <summary>Storefront: ranked lists and search re-ranking (storefront key).</summary>
    public const string Recommendations = "/api/recommendations";
    /// <summary>Storefront: the clickstream collector (storefront key).</summary>
    public const string Events = "/api/events";
    /// <summary>The data and marketing teams (admin role; Functions key in Azure).</summary>
    public const string Admin = "/api/admin";
    /// <summary>The privacy team (privacy role; Functions key in Azure).</summary>
    public const string Privacy = "/api/privacy";
    /// <summary>Liveness and readiness (open).</summary>
    public const string Health = "/api/health";

    public const string RecommendationsTag = "Recommendations";
    public const string EventsTag = "Events";
    public const string ModelsTag = "Training and models";
    public const string CatalogTag = "Catalog";
    public const string WorkflowsTag = "Workflows";
    public const string SegmentsTag = "Segments";
    public const string AttributionTag = "Attribution";
    public const string BanditTag = "Bandit";
    public const string ExperimentsTag = "Experiments";
    public const string ErasureTag = "Erasure";
    public const string ConsentTag = "Consent and data subject rights";
    public const string AuditTag = "Audit";
    public const string HealthTag = "Health";
}
