using Microsoft.Extensions.Options;

namespace Recommender.Functions.Security;

/// <summary>
/// In front of every endpoint: refuses over-long URLs (414), storefront keys on the admin and
/// privacy routes (403), and storefront requests without a known key when clients are configured
/// (401). An authenticated request carries a <see cref="StorefrontClient"/> feature, which the rate
/// limiter partitions on.
/// </summary>
public sealed class StorefrontGuardMiddleware(RequestDelegate next, StorefrontKeys keys, IOptions<StorefrontOptions> options, IProblemDetailsService problems)
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

        if (!StorefrontRoutes.IsStorefront(request.Path) || keys.IsOpen)
        {
            return next(context);
        }

        var presented = request.Headers[StorefrontRoutes.ApiKeyHeader];
        if (presented.Count != 1 || keys.Identify(presented[0]) is not { } client)
        {
            context.Response.Headers.WWWAuthenticate = $"ApiKey header=\"{StorefrontRoutes.ApiKeyHeader}\"";
            return RefuseAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized",
                presented.Count == 0 ? "the X-Api-Key header is required" : "the X-Api-Key header does not hold a known storefront key");
        }

        context.Features.Set(new StorefrontClient(client));
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
