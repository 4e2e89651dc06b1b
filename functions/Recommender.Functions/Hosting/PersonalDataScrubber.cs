using System.Diagnostics;
using OpenTelemetry;

namespace Recommender.Functions.Hosting;

/// <summary>
/// Removes personal data from spans before any exporter sees them. The HTTP instrumentations record
/// what a request carried: the path (<c>/api/recommendations/{customerId}</c> names a customer, so do
/// the privacy routes), the query string, the caller's address and user agent, and for outgoing
/// calls the full URL (a Cosmos DB document URL ends in a document id, which can be a customer's).
/// Server spans keep the route template instead of the path; client spans keep the scheme and host.
/// Registered ahead of every exporter (<see cref="TelemetryExtensions"/>).
/// </summary>
public sealed class PersonalDataScrubber : BaseProcessor<Activity>
{
    /// <summary>Attributes that are dropped wherever they appear.</summary>
    public static readonly IReadOnlyList<string> Dropped =
    [
        "url.query", "client.address", "client.port", "network.peer.address", "network.peer.port",
        "user_agent.original", "enduser.id", "http.client_ip", "http.target", "http.url", "db.query.text", "db.statement",
    ];

    public override void OnEnd(Activity data)
    {
        ArgumentNullException.ThrowIfNull(data);
        Scrub(data);
    }

    /// <summary>Rewrites <paramref name="activity"/>'s attributes in place.</summary>
    public static void Scrub(Activity activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        foreach (var key in Dropped)
        {
            if (activity.GetTagItem(key) is not null)
            {
                activity.SetTag(key, null);
            }
        }

        if (activity.GetTagItem("url.path") is not null)
        {
            // The template ("/api/recommendations/{customerId}"), or nothing when no route matched.
            activity.SetTag("url.path", activity.GetTagItem("http.route") as string);
        }

        if (activity.GetTagItem("url.full") is string full)
        {
            activity.SetTag("url.full", Uri.TryCreate(full, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) + "/" : null);
        }
    }
}
