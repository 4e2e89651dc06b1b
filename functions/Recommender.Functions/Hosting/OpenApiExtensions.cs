using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Recommender.Functions.Endpoints;
using Recommender.Functions.Security;

namespace Recommender.Functions.Hosting;

/// <summary>
/// The OpenAPI document of the public API (<c>GET /api/openapi.json</c>): the <c>/api/...</c> routes
/// only — never the <c>/{FunctionName}</c> invocation endpoints — grouped by their tags, with the storefront
/// key on the storefront routes and the Functions key and operator token on the admin and privacy routes, and
/// the answers the middleware gives before a handler runs (401, 403, 429). Parameters are described where they
/// are bound (<c>[Description]</c> on the <c>[AsParameters]</c> records); route ids by <see cref="RouteParameters"/>.
/// The served document is checked against an approved snapshot (tests/Recommender.Functions.Tests/Http/OpenApi).
/// </summary>
public static class OpenApiExtensions
{
    public const string DocumentPath = "/api/openapi.json";
    public const string StorefrontScheme = "storefrontKey";
    public const string FunctionKeyScheme = "functionKey";
    public const string OperatorTokenScheme = "operatorToken";

    /// <summary>The route parameters' descriptions, by name: the same id means the same thing on every route.</summary>
    public static readonly IReadOnlyDictionary<string, string> RouteParameters = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["customerId"] = "The customer id: 1-128 letters, digits or - _ . : @.",
        ["requestId"] = "The erasure request's id (the Location its start answered).",
        ["runId"] = "The run's id (the Location its start answered).",
        ["version"] = "A model version (GET /api/admin/models lists them).",
        ["segment"] = "vip, active, at-risk, dormant, new, price-sensitive, category-enthusiast:{category} or brand-loyalist:{brand}.",
        ["instanceId"] = "cart-abandonment, browse-abandonment, replenishment, post-purchase:{orderId}, or an outbox message id.",
        ["id"] = "The experiment's id: 1-128 letters, digits or - _ . : @.",
    };

    public static IServiceCollection AddRecommenderOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.ShouldInclude = description => description.RelativePath?.StartsWith("api/", StringComparison.OrdinalIgnoreCase) == true;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Recommender",
                    Version = "v1",
                    Description = "Clickstream collection and recommendations for storefronts; admin and privacy operations for the data and privacy teams. "
                        + "Bad input answers 400 RFC 7807 problem details naming the field; a path and query string longer than Recommender:Storefront:MaxUrlLength answers 414.",
                };
                foreach (var tag in document.Tags ?? Enumerable.Empty<OpenApiTag>())
                {
                    if (tag.Name is { } name && ApiRoutes.TagDescriptions.TryGetValue(name, out var about))
                    {
                        tag.Description = about;
                    }
                }

                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[StorefrontScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = StorefrontRoutes.ApiKeyHeader,
                    Description = "A storefront client's key (Recommender:Storefront:Clients). Not accepted on admin or privacy routes.",
                };
                document.Components.SecuritySchemes[FunctionKeyScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = "x-functions-key",
                    Description = "An Azure Functions function key (authLevel function).",
                };
                document.Components.SecuritySchemes[OperatorTokenScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "An Entra ID token with the route's app role (privacy: Privacy.Manage, admin: Recommender.Admin), when Recommender:Auth is configured.",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                foreach (var parameter in operation.Parameters ?? [])
                {
                    if (parameter is OpenApiParameter { In: ParameterLocation.Path, Description: null } route && route.Name is { } name
                        && RouteParameters.TryGetValue(name, out var description))
                    {
                        route.Description = description;
                    }
                }

                var path = new PathString("/" + context.Description.RelativePath);
                var scheme = StorefrontRoutes.IsStorefront(path) ? StorefrontScheme
                    : StorefrontRoutes.IsProtected(path) ? FunctionKeyScheme
                    : null;
                if (scheme is null)
                {
                    return Task.CompletedTask;
                }

                operation.Security ??= [];
                var requirement = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [] };
                if (scheme == FunctionKeyScheme)
                {
                    requirement[new OpenApiSecuritySchemeReference(OperatorTokenScheme, context.Document)] = [];
                }

                operation.Security.Add(requirement);
                operation.Responses ??= [];
                if (scheme == StorefrontScheme)
                {
                    operation.Responses.TryAdd("401", new OpenApiResponse { Description = "Missing or unknown X-Api-Key (when storefront clients are configured)" });
                    operation.Responses.TryAdd("429", new OpenApiResponse { Description = "Over the client's request rate; see Retry-After (seconds)" });
                }
                else
                {
                    operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No valid operator token (when Recommender:Auth is configured)" });
                    operation.Responses.TryAdd("403", new OpenApiResponse { Description = "The request carried a storefront X-Api-Key, or the token lacks the route's role" });
                }

                return Task.CompletedTask;
            });
        });
}
