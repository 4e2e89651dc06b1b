using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Recommender.Domain.Ports.Telemetry;

/// <summary>
/// The app's own traces and metrics: one <see cref="ActivitySource"/> and one <see cref="Meter"/>, both
/// named <see cref="Name"/>, and the instruments recorded on them. Recording costs next to nothing
/// until an OpenTelemetry provider (or any listener) subscribes to the name; the function app does
/// so only when an exporter is configured (docs/observability.md).
/// </summary>
/// <remarks>
/// <para>
/// <b>No personal data in any attribute.</b> Tags are closed vocabularies — placement, list source,
/// queue, channel, outcome, status — and counts. Never a customer id, an order or message id that
/// names one, an email, a phone or an address: those live in the stores, under erasure, and
/// telemetry outlives erasure. <c>Recommender.Functions.Hosting.PersonalDataScrubber</c> removes
/// what the HTTP instrumentations would otherwise record (request paths, client addresses, query
/// strings); <c>TelemetryPrivacyTests</c> checks every span and metric attribute after ingest, serve
/// and privacy calls.
/// </para>
/// <para>
/// Static, as the .NET guidance recommends for an app's source and meter: the same instance for every
/// service that records, no constructor changes to the services it instruments.
/// </para>
/// </remarks>
public static class RecommenderTelemetry
{
    /// <summary>The name of the activity source and the meter.</summary>
    public const string Name = "Recommender";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    /// <summary>Ingested batches, by source kind (<c>http</c>, <c>eventhub</c>, <c>seed</c>, <c>privacy-api</c>).</summary>
    public static readonly Counter<long> IngestionBatches = Meter.CreateCounter<long>("recommender.ingestion.batches", "{batch}", "Event batches ingested");

    /// <summary>Events of ingested batches, by outcome (<c>accepted</c>, <c>rejected</c>, <c>duplicate</c>).</summary>
    public static readonly Counter<long> IngestionEvents = Meter.CreateCounter<long>("recommender.ingestion.events", "{event}", "Events of ingested batches, by outcome");

    /// <summary>Time to ingest a batch.</summary>
    public static readonly Histogram<double> IngestionDuration = Meter.CreateHistogram<double>("recommender.ingestion.duration", "s", "Time to ingest one batch");

    /// <summary>Lists served, by placement and source: <c>cache</c> is a cache hit; <c>degraded</c> the store-outage answer.</summary>
    public static readonly Counter<long> ServedLists = Meter.CreateCounter<long>("recommender.serving.lists", "{list}", "Recommendation lists served, by placement and source (cache = a cache hit)");

    /// <summary>Workflow and task queue messages handled, by queue and outcome (<c>done</c>, <c>dead-lettered</c>, <c>failed</c>).</summary>
    public static readonly Counter<long> WorkflowSteps = Meter.CreateCounter<long>("recommender.workflow.steps", "{message}", "Queue messages (workflow steps, tasks) handled, by queue and outcome");

    /// <summary>Time to handle one queue message.</summary>
    public static readonly Histogram<double> WorkflowStepDuration = Meter.CreateHistogram<double>("recommender.workflow.step.duration", "s", "Time to handle one queue message");

    /// <summary>Webhook calls to providers, by channel and outcome (<c>delivered</c>, <c>transient</c>, <c>permanent</c>).</summary>
    public static readonly Counter<long> WebhookDeliveries = Meter.CreateCounter<long>("recommender.webhook.deliveries", "{call}", "Webhook calls to providers, by channel and outcome");

    /// <summary>
    /// Calls to the storage ports (documents, blobs, queues), by port, operation and — for documents —
    /// collection, counted by the decorators over the ports (<see cref="StorageMetering"/>) for every call
    /// that reaches an adapter: what a cache above a port answers is not a call.
    /// </summary>
    public static readonly Counter<long> StorageCalls = Meter.CreateCounter<long>(StorageMetering.InstrumentName, "{call}",
        "Calls to the storage ports (documents, blobs, queues), by port, operation and collection");

    /// <summary>Training runs decided, by status (<c>promoted</c>, <c>rejected</c>, <c>kept</c>, <c>failed</c>, …).</summary>
    public static readonly Counter<long> TrainingRuns = Meter.CreateCounter<long>("recommender.training.runs", "{run}", "Training runs finished, by status");

    /// <summary>Tag keys, declared once.</summary>
    public static class Tags
    {
        public const string Source = "recommender.ingestion.source";
        public const string Outcome = "recommender.outcome";
        public const string Placement = "recommender.placement";
        public const string ListSource = "recommender.list.source";
        public const string Queue = "messaging.destination.name";
        public const string Channel = "recommender.webhook.channel";
        public const string Status = "recommender.training.status";
        public const string StatusCode = "http.response.status_code";
        public const string Events = "recommender.ingestion.events";
        public const string Accepted = "recommender.ingestion.accepted";
        public const string Applied = "recommender.ingestion.applied";
        public const string Port = "recommender.storage.port";
        public const string Operation = "recommender.storage.operation";
        public const string Collection = "db.collection.name";
    }

    /// <summary>
    /// Records a served list: <see cref="ServedLists"/> by placement and source, and the same two tags on
    /// the current span (the HTTP request's). Returns <paramref name="response"/>.
    /// </summary>
    public static Recommendations.RecommendationResponse Served(Recommendations.RecommendationResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        Activity.Current?.SetTag(Tags.Placement, response.Placement);
        Activity.Current?.SetTag(Tags.ListSource, response.Source);
        ServedLists.Add(1, new KeyValuePair<string, object?>(Tags.Placement, response.Placement), new KeyValuePair<string, object?>(Tags.ListSource, response.Source));
        return response;
    }

    /// <summary>
    /// The kind of an ingestion source without what follows a colon (<c>eventhub:partition-3</c> →
    /// <c>eventhub</c>): a small, closed set of values.
    /// </summary>
    public static string SourceKind(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var colon = source.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? source : source[..colon];
    }
}
