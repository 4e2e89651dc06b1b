using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Recommender.Functions.Security;

namespace Recommender.Functions.Hosting;

/// <summary>
/// The OpenAPI document of the public API (<c>GET /api/openapi.json</c>): the <c>/api/...</c> routes
/// only — never the <c>/{FunctionName}</c> invocation endpoints — with the storefront key on the
/// storefront routes and the Functions key on the admin and privacy routes.
/// </summary>
public static class OpenApiExtensions
{
    public const string DocumentPath = "/api/openapi.json";
    public const string StorefrontScheme = "storefrontKey";
    public const string FunctionKeyScheme = "functionKey";

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
                    Description = "Clickstream collection and recommendations for storefronts; admin and privacy operations for the data and privacy teams.",
                };
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
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var path = new PathString("/" + context.Description.RelativePath);
                var scheme = StorefrontRoutes.IsStorefront(path) ? StorefrontScheme
                    : StorefrontRoutes.IsProtected(path) ? FunctionKeyScheme
                    : null;
                if (scheme is null)
                {
                    return Task.CompletedTask;
                }

                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, context.Document)] = [] });
                operation.Responses ??= [];
                if (scheme == StorefrontScheme)
                {
                    operation.Responses.TryAdd("401", new OpenApiResponse { Description = "Missing or unknown X-Api-Key (when storefront clients are configured)" });
                    operation.Responses.TryAdd("429", new OpenApiResponse { Description = "Over the client's request rate; see Retry-After (seconds)" });
                }
                else
                {
                    operation.Responses.TryAdd("403", new OpenApiResponse { Description = "The request carried a storefront X-Api-Key" });
                }

                return Task.CompletedTask;
            });
        });
}
