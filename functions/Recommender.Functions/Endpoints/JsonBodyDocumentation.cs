using Microsoft.OpenApi;

namespace Recommender.Functions.Endpoints;

/// <summary>The OpenAPI description of a JSON body a handler reads itself (bounded, or parsed to tell missing from null).</summary>
public static class JsonBodyDocumentation
{
    /// <summary>
    /// Describes the request body as <c>application/json</c> of <typeparamref name="TBody"/> in the OpenAPI document only.
    /// Unlike <c>Accepts&lt;T&gt;</c> it adds no content-type constraint to routing, so a body of another type still
    /// reaches the handler and is answered 415 problem details, not an empty 415 from the router.
    /// </summary>
    public static RouteHandlerBuilder WithJsonBody<TBody>(this RouteHandlerBuilder builder, string? description = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(TBody), null, cancellationToken).ConfigureAwait(false);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = description,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
            };
        });
    }
}
