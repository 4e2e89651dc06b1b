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

    /// <summary>Each tag's description in the OpenAPI document.</summary>
    public static readonly IReadOnlyDictionary<string, string> TagDescriptions = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [RecommendationsTag] = "Storefront: ranked lists per placement and search re-ranking (X-Api-Key; rate-limited per client).",
        [EventsTag] = "Storefront: the clickstream collector (X-Api-Key; rate-limited per client).",
        [ModelsTag] = "Data team: training runs, model versions with their metrics, rollback and pinning.",
        [CatalogTag] = "Data team: the product catalog.",
        [WorkflowsTag] = "Operators: a customer's workflow instances and messages, cancellation, send statistics.",
        [SegmentsTag] = "Data and marketing teams: segmentation runs, segment sizes and members.",
        [AttributionTag] = "Marketing team: attributed outcomes per placement, campaign, channel, variant and segment.",
        [BanditTag] = "Data team: the serving bandit's exploration, rewards and arm shares.",
        [ExperimentsTag] = "Data team: experiment definitions and their reports.",
        [ErasureTag] = "Privacy team: erasure of a customer across every store, with its receipt.",
        [ConsentTag] = "Privacy team: consent records, access, objection, rectification and ad audiences.",
        [AuditTag] = "Privacy team: the hash-chained audit log.",
        [HealthTag] = "Liveness and readiness.",
    };
}
