using Microsoft.Extensions.Options;

namespace Recommender.Functions.Security;

/// <summary>
/// In front of every endpoint: refuses over-long URLs (414) and storefront keys on the admin and privacy
/// routes (403), and passes storefront requests through the <see cref="StorefrontGate"/> (key: 401, rate
/// limit: 429). An authenticated request carries a <see cref="StorefrontClient"/> feature.
/// </summary>
public sealed class StorefrontGuardMiddleware(RequestDelegate next, StorefrontGate gate, IOptions<StorefrontOptions> options, IProblemDetailsService problems)
{
    private readonly int _maxUrlLength = options.Value.MaxUrlLength;

    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        if (request.Path.Value?.Length + request.QueryString.Value?.Length > _maxUrlLength
            || request.Path.Value?.Length > _maxUrlLength)
        {
            return RefuseAsync(context, StatusCodes.Status414UriTooLong, "URI too long", $"the path and query string are longer than {_maxUrlLength} characters");
        }

        if (StorefrontRoutes.IsProtected(request.Path))
        {
            return request.Headers.ContainsKey(StorefrontRoutes.ApiKeyHeader)
                ? RefuseAsync(context, StatusCodes.Status403Forbidden, "Forbidden", "a storefront key does not authorize admin or privacy routes; send no X-Api-Key header")
                : next(context);
        }

        if (!StorefrontRoutes.IsStorefront(request.Path))
        {
            return next(context);
        }

        if (gate.Admit(request.Headers[StorefrontRoutes.ApiKeyHeader], context.Connection.RemoteIpAddress, request.Headers[StorefrontRateLimiter.ForwardedForHeader],
                out var client) is { } refusal)
        {
            foreach (var (name, value) in refusal.Headers)
            {
                context.Response.Headers[name] = value;
            }

            return RefuseAsync(context, refusal.StatusCode, refusal.Title, refusal.Detail);
        }

        if (client is not null)
        {
            context.Features.Set(new StorefrontClient(client));
        }

        return next(context);
    }

    private Task RefuseAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }).AsTask();
    }
}
