using System.Text;
using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Domain.Segments;

/// <summary>Segment sizes of the latest run and per day.</summary>
public sealed record SegmentCounts(string? RunId, string? Day, long Customers, IReadOnlyDictionary<string, long> Sizes, IReadOnlyList<SegmentSizes> Days);

/// <summary>One member of a segment with the scores an operator sorts and filters by.</summary>
public sealed record SegmentMember(string CustomerId, RfmScores? Rfm, double? ChurnProbability, decimal PredictedLifetimeValue, DateTimeOffset? PredictedNextPurchaseAt,
    IReadOnlyList<string> Segments);

/// <summary>A page of a segment's members; <see cref="Continuation"/> fetches the next (null on the last page).</summary>
public sealed record SegmentMembersPage(string Segment, string RunId, string Day, IReadOnlyList<SegmentMember> Members, string? Continuation);

/// <summary>The bad continuation token of a members query.</summary>
public sealed class InvalidContinuationException(string message) : Exception(message);

/// <summary>
/// The operators' view of segments: sizes (latest and per day, for trend charts) and members page
/// by page. Members come from the run's member lists (one document per shard and 2,000 ids), each
/// checked against the customer's current segment document and profile (<see cref="SegmentMembership"/>),
/// so a customer erased, objecting or no longer consenting since the run is never listed.
/// </summary>
public sealed class SegmentQueries(IDocumentStore documents, SegmentMembership membership)
{
    public const int MaxPageSize = 500;

    public async Task<SegmentCounts> CountsAsync(DateOnly? from, DateOnly? to, CancellationToken cancellationToken = default)
    {
        var latest = await documents.GetAsync<LatestSegmentation>(Collections.Workflows, SegmentationRun.PartitionKey, "latest", cancellationToken).ConfigureAwait(false);
        var days = (await documents.ListAsync<SegmentSizes>(Collections.Workflows, SegmentationRun.PartitionKey, "sizes:", cancellationToken).ConfigureAwait(false))
            .Where(d => DateOnly.TryParseExact(d.Day, "yyyy-MM-dd", out var day) && (from is null || day >= from) && (to is null || day <= to))
            .OrderBy(d => d.Day, StringComparer.Ordinal)
            .ToList();
        var current = latest is null ? null
            : await documents.GetAsync<SegmentSizes>(Collections.Workflows, SegmentationRun.PartitionKey, SegmentationWorkflow.SizesId(latest.Day), cancellationToken).ConfigureAwait(false);
        return new SegmentCounts(latest?.RunId, latest?.Day, current?.Customers ?? 0, current?.Sizes ?? [], days);
    }

    /// <summary>A page of the segment's members in the latest run (or the run the continuation names); null when no run has completed.</summary>
    /// <exception cref="InvalidContinuationException">The continuation token is not one this API gave.</exception>
    public async Task<SegmentMembersPage?> MembersAsync(string segment, int limit, string? continuation, CancellationToken cancellationToken = default)
    {
        string runId, day;
        string? afterChunk = null;
        var offset = 0;
        if (continuation is not null)
        {
            (runId, afterChunk, offset) = Decode(continuation, segment);
            var run = await documents.GetAsync<SegmentationRun>(Collections.Workflows, SegmentationRun.PartitionKey, runId, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidContinuationException("the run this continuation belongs to is gone; start again without it");
            day = run.Day;
        }
        else
        {
            var latest = await documents.GetAsync<LatestSegmentation>(Collections.Workflows, SegmentationRun.PartitionKey, "latest", cancellationToken).ConfigureAwait(false);
            if (latest is null)
            {
                return null;
            }

            (runId, day) = (latest.RunId, latest.Day);
        }

        var members = new List<SegmentMember>();
        string? next = null;
        await foreach (var doc in documents.ReadPartitionAsync(Collections.Workflows, SegmentationWorkflow.MembersPartition(runId, segment), cancellationToken).ConfigureAwait(false))
        {
            var cmp = afterChunk is null ? 1 : string.CompareOrdinal(doc.Id, afterChunk);
            if (cmp < 0)
            {
                continue;
            }

            var chunk = Json.FromElement<SegmentMemberChunk>(doc.Body);
            for (var i = cmp == 0 ? offset : 0; i < chunk.CustomerIds.Count; i++)
            {
                if (members.Count == limit)
                {
                    next = Encode(runId, segment, doc.Id, i);
                    break;
                }

                var customerId = chunk.CustomerIds[i];
                var current = await membership.GetAsync(customerId, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (current is not null && current.Segments.Contains(segment, StringComparer.Ordinal))
                {
                    members.Add(new SegmentMember(customerId, current.Rfm, current.ChurnProbability, current.PredictedLifetimeValue, current.PredictedNextPurchaseAt, current.Segments));
                }
            }

            if (next is not null)
            {
                break;
            }
        }

        return new SegmentMembersPage(segment, runId, day, members, next);
    }

    private static string Encode(string runId, string segment, string chunkId, int offset) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{runId}\n{segment}\n{chunkId}\n{offset}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static (string RunId, string ChunkId, int Offset) Decode(string token, string segment)
    {
        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(base64)).Split('\n');
            if (parts.Length == 4 && parts[1] == segment && parts[0].StartsWith("segmentation-", StringComparison.Ordinal)
                && int.TryParse(parts[3], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var offset))
            {
                return (parts[0], parts[2], offset);
            }
        }
        catch (FormatException)
        {
        }

        throw new InvalidContinuationException("continuation is not a token this query returned for this segment");
    }
}
