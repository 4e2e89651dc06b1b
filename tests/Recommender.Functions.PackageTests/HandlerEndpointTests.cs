using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Recommender.Functions.PackageTests;

/// <summary>
/// Every function of the package reaches an endpoint of the handler: a proxied HTTP function on
/// <c>/{routePrefix}/{route}</c> with its method, every other function on <c>POST /{FunctionName}</c>.
/// </summary>
[Collection(PublishedPackageCollection.Name)]
public sealed class HandlerEndpointTests(PublishedPackage package, RecommenderAppFactory app) : IClassFixture<RecommenderAppFactory>
{
    [Theory]
    [MemberData(nameof(FunctionNames.All), MemberType = typeof(FunctionNames))]
    public void Handler_ExposesTheEndpointTheHostCallsForEachFunction(string name)
    {
        Assert.True(package.Functions.TryGetValue(name, out var function), $"the package has no function '{name}'");
        var (methods, path) = ExpectedEndpoint(function!);
        var routes = HandlerRoutes();
        foreach (var method in methods)
        {
            Assert.True(routes.Contains((method, Canonical(path))),
                $"{name} ({(function!.IsProxied ? "proxied" : "invoked")}) needs {method} {path}; the handler maps:\n" +
                string.Join('\n', routes.Order().Select(r => $"  {r.Method} {r.Route}")));
        }
    }

    private (IReadOnlyList<string> Methods, string Path) ExpectedEndpoint(FunctionDefinition function)
    {
        if (!function.IsProxied)
        {
            return (["POST"], "/" + function.Name);
        }

        var trigger = function.Trigger;
        var prefix = package.HostJson.TryGetProperty("extensions", out var extensions)
            && extensions.TryGetProperty("http", out var http)
            && http.TryGetProperty("routePrefix", out var p) && p.ValueKind == JsonValueKind.String
                ? p.GetString()!.Trim('/')
                : "api";
        var route = (trigger.String("route") ?? function.Name).Trim('/');
        return (trigger.Methods, prefix.Length == 0 ? "/" + route : $"/{prefix}/{route}");
    }

    private HashSet<(string Method, string Route)> HandlerRoutes()
    {
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        var routes = new HashSet<(string, string)>();
        foreach (var endpoint in endpoints)
        {
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
            var route = Canonical(endpoint.RoutePattern);
            foreach (var method in methods is { Count: > 0 } ? methods : ["GET", "POST", "PUT", "PATCH", "DELETE"])
            {
                routes.Add((method.ToUpperInvariant(), route));
            }
        }

        return routes;
    }

    private static string Canonical(string template) => Canonical(RoutePatternFactory.Parse(template));

    /// <summary>
    /// The route's structure: literals (case-insensitive, as both routers match them) and parameter
    /// names with optional/catch-all markers; constraints and defaults are left out.
    /// </summary>
    private static string Canonical(RoutePattern pattern) =>
        "/" + string.Join('/', pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content.ToLowerInvariant(),
            RoutePatternParameterPart parameter => $"{{{(parameter.IsCatchAll ? "*" : "")}{parameter.Name}{(parameter.IsOptional ? "?" : "")}}}",
            RoutePatternSeparatorPart separator => separator.Content,
            _ => part.ToString(),
        }))));
}
