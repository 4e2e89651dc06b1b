namespace Recommender.Functions.Security;

/// <summary>
/// Keeps request paths and query strings (customer ids) out of the logs: the framework categories
/// that write them — the hosting "Request starting/finished" lines and request scope (off), the route matcher's and the
/// parameter binder's debug lines, Kestrel's bad-request details — are held at Warning whatever the
/// configured levels. What remains names endpoints by route template.
/// </summary>
public static class PersonalDataLogging
{
    private const string HostingDiagnostics = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public static readonly IReadOnlyList<string> PathWritingCategories =
    [
        "Microsoft.AspNetCore.Routing.Matching",
        "Microsoft.AspNetCore.Http.RequestDelegateFactory",
        "Microsoft.AspNetCore.Server.Kestrel.BadRequests",
        "Microsoft.AspNetCore.HttpLogging",
        "Microsoft.AspNetCore.W3CLogging",
    ];

    public static ILoggingBuilder AddPersonalDataFilters(this ILoggingBuilder logging)
    {
        // Off entirely: even at Warning it opens a request scope holding the path.
        logging.AddFilter(HostingDiagnostics, LogLevel.None);
        foreach (var category in PathWritingCategories)
        {
            logging.AddFilter(category, LogLevel.Warning);
        }

        return logging;
    }
}
