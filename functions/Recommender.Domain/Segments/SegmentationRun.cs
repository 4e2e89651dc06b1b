using Recommender.Domain.Profiles;

namespace Recommender.Domain.Segments;

/// <summary>
/// One segmentation run (collection <c>workflows</c>, partition <c>_segmentation</c>): queued →
/// training (the churn and lifetime-value models) → measuring (first fan-out: each shard's RFM
/// histogram) → scoring (second fan-out: each shard's scores and segments) → completed; failed with
/// the error while the queue retries a step. Each fan-in records the shards that finished; the shard
/// that completes the set finalizes the phase.
/// </summary>
public sealed class SegmentationRun
{
    public const string PartitionKey = "_segmentation";

    public required string RunId { get; init; }
    public required string Trigger { get; init; }
    public required DateTimeOffset RequestedAt { get; init; }
    /// <summary>The day (UTC, yyyy-MM-dd) the run's sizes are recorded under.</summary>
    public required string Day { get; init; }
    public string Status { get; set; } = SegmentationStatus.Queued;
    public int Attempts { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public ScoreModelReport? Models { get; set; }
    public List<string> MeasuredShards { get; set; } = [];
    public bool MeasureFannedOut { get; set; }
    public QuintileBoundaries? Quintiles { get; set; }
    public List<string> ScoredShards { get; set; } = [];
    public bool ScoreFannedOut { get; set; }
    /// <summary>Customers scored and customers passed over (no analytics consent, objection, possibly a minor).</summary>
    public long Scored { get; set; }
    public long NotProfiled { get; set; }
    /// <summary>Members per segment once completed.</summary>
    public Dictionary<string, long>? Sizes { get; set; }
    public string? Error { get; set; }
}

public static class SegmentationStatus
{
    public const string Queued = "queued";
    public const string Training = "training";
    public const string Measuring = "measuring";
    public const string Scoring = "scoring";
    public const string Completed = "completed";
}

/// <summary>The queue message of a run's step: <c>train</c> (no shard), <c>measure</c> or <c>score</c> (one directory shard).</summary>
public sealed record SegmentationMessage(string RunId, string Step, string? Shard = null)
{
    public const string Train = "train";
    public const string Measure = "measure";
    public const string Score = "score";

    public bool IsWellFormed => !string.IsNullOrEmpty(RunId) && Step switch
    {
        Train => Shard is null,
        Measure or Score => Shard is not null && ProfileStore.AllShards.Contains(Shard, StringComparer.Ordinal),
        _ => false,
    };
}

/// <summary>A shard's RFM histogram (first fan-out's result).</summary>
public sealed record ShardHistogram(string Shard, RfmHistogram Histogram);

/// <summary>A shard's scoring result (second fan-out's result): its members per segment and counts.</summary>
public sealed record ShardScores(string Shard, Dictionary<string, long> Sizes, long Scored, long NotProfiled);

/// <summary>Segment sizes of one day (partition <c>_segmentation</c>, id <c>sizes:{day}</c>), for trend charts.</summary>
public sealed record SegmentSizes(string Day, string RunId, DateTimeOffset ComputedAt, long Customers, Dictionary<string, long> Sizes);

/// <summary>The latest completed run (partition <c>_segmentation</c>, id <c>latest</c>): the one queries read.</summary>
public sealed record LatestSegmentation(string RunId, string Day, DateTimeOffset CompletedAt);

/// <summary>A page of a segment's members of one run (partition <c>_segment:{runId}:{segment}</c>, id <c>{shard}:{chunk}</c>).</summary>
public sealed record SegmentMemberChunk(string Segment, string RunId, List<string> CustomerIds);

/// <summary>
/// A customer's scores and segments (collection <c>workflows</c>, partition = customer id, id
/// <c>segments</c>) — keyed like the profile, so the access export lists it and erasure deletes it
/// with the customer's other workflow documents.
/// </summary>
public sealed class CustomerSegments
{
    public const string DocumentId = "segments";

    public required string CustomerId { get; init; }
    public required string RunId { get; init; }
    public required DateTimeOffset ComputedAt { get; init; }
    /// <summary>Raw RFM (null without an order): days since the last order, orders, spend.</summary>
    public double? RecencyDays { get; init; }
    public int Frequency { get; init; }
    public decimal Monetary { get; init; }
    /// <summary>RFM scores 1-5 against the whole base's quintiles (null without an order).</summary>
    public RfmScores? Rfm { get; init; }
    /// <summary>Probability of no purchase in the next <see cref="ChurnWindowDays"/> (null without a churn model).</summary>
    public double? ChurnProbability { get; init; }
    public double ChurnWindowDays { get; init; }
    /// <summary>Expected spend over the next 12 months.</summary>
    public decimal PredictedLifetimeValue { get; init; }
    public DateTimeOffset? PredictedNextPurchaseAt { get; init; }
    public List<string> Segments { get; init; } = [];
}
