using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Recommender.Domain.Ports;
using Recommender.Domain.Storage;

namespace Recommender.Domain.Attribution;

/// <summary>
/// Where attribution lives: the daily counters (items, <c>_attribution-yyyy-MM-dd</c>, one document
/// per row, atomic increments), each consenting customer's journey (workflows, partition = subject)
/// and the counted orders (workflows, partition <see cref="OrdersPartition"/>). Reads are single-partition.
/// </summary>
public sealed class AttributionStore(IDocumentStore documents, IOptions<AttributionOptions> options)
{
    public const string JourneyId = "attribution-journey";
    public const string DayPartitionPrefix = "_attribution-";

    public static string DayOf(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string DayPartition(string day) => DayPartitionPrefix + day;

    /// <summary>The partition of a subject's order records: a hash of the subject (erasure finds it from the subject alone).</summary>
    public static string OrdersPartition(string subjectId) => "attribution-orders-" + Hash(subjectId)[..32];

    public static string OrderId(string orderId) => "order-" + Hash(orderId)[..40];

    /// <summary>A row's document id: a hash of its bucket and segment (names of any alphabet stay out of the id).</summary>
    public static string RowId(AttributionBucket bucket, string segment) => "row-" + Hash($"{bucket.Channel}\n{bucket.Source}\n{bucket.Variant}\n{segment}")[..40];

    public Task<AttributionJourney?> UpdateJourneyAsync(string subjectId, Func<AttributionJourney?, AttributionJourney?> mutate, CancellationToken cancellationToken = default) =>
        documents.UpdateAsync(Collections.Workflows, subjectId, JourneyId, mutate, DocumentTimeToLive.After(options.Value.JourneyRetention), cancellationToken);

    public Task<AttributionJourney?> GetJourneyAsync(string subjectId, CancellationToken cancellationToken = default) =>
        documents.GetAsync<AttributionJourney>(Collections.Workflows, subjectId, JourneyId, cancellationToken);

    /// <summary>Records a counted order; false when it was counted before (a duplicate purchase event).</summary>
    public async Task<bool> TryAddOrderAsync(string subjectId, string orderId, OrderAttribution order, CancellationToken cancellationToken = default)
    {
        try
        {
            await documents.CreateAsync(Collections.Workflows, OrdersPartition(subjectId), OrderId(orderId), Json.ToElement(order),
                DocumentTimeToLive.After(options.Value.OrderRetention), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DocumentConflictException)
        {
            return false;
        }
    }

    public Task<OrderAttribution?> UpdateOrderAsync(string subjectId, string orderId, Func<OrderAttribution?, OrderAttribution?> mutate, CancellationToken cancellationToken = default) =>
        documents.UpdateAsync(Collections.Workflows, OrdersPartition(subjectId), OrderId(orderId), mutate, DocumentTimeToLive.After(options.Value.OrderRetention), cancellationToken);

    /// <summary>Adds a row's increments (creating the row the first time); returns the store operations used.</summary>
    public Task<int> IncrementAsync(string day, AttributionBucket bucket, string segment, IReadOnlyDictionary<string, double> increments, CancellationToken cancellationToken = default) =>
        documents.IncrementOrCreateAsync(Collections.Items, DayPartition(day), RowId(bucket, segment), increments, () => Initial(day, bucket, segment, increments), cancellationToken);

    /// <summary>A message delivered: one send on its row (email or push, source = the message kind) on the day it was sent; SMS has no row.</summary>
    public async Task<int> CountSendAsync(string channel, string kind, DateTimeOffset sentAt, CancellationToken cancellationToken = default)
    {
        if (channel is not (AttributionChannels.Email or AttributionChannels.Push))
        {
            return 0;
        }

        var increments = new Dictionary<string, double>(StringComparer.Ordinal) { ["sends"] = 1 };
        return await IncrementAsync(DayOf(sentAt), new AttributionBucket(channel, kind, AttributionBucket.NotSet), AttributionCounters.AllSegments, increments, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every row of one day (one single-partition read).</summary>
    public async IAsyncEnumerable<AttributionCounters> ReadDayAsync(string day, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var document in documents.ReadPartitionAsync(Collections.Items, DayPartition(day), cancellationToken).ConfigureAwait(false))
        {
            yield return Json.FromElement<AttributionCounters>(document.Body);
        }
    }

    /// <summary>Erasure: the subjects' journeys and order records; returns how many documents went.</summary>
    public async Task<int> EraseSubjectsAsync(IReadOnlyList<string> subjectIds, CancellationToken cancellationToken = default)
    {
        var removed = 0;
        foreach (var subject in subjectIds)
        {
            removed += await documents.DeleteAsync(Collections.Workflows, subject, JourneyId, cancellationToken).ConfigureAwait(false) ? 1 : 0;
            var orders = new List<string>();
            await foreach (var document in documents.ReadPartitionAsync(Collections.Workflows, OrdersPartition(subject), cancellationToken).ConfigureAwait(false))
            {
                orders.Add(document.Id);
            }

            foreach (var id in orders)
            {
                removed += await documents.DeleteAsync(Collections.Workflows, OrdersPartition(subject), id, cancellationToken).ConfigureAwait(false) ? 1 : 0;
            }
        }

        return removed;
    }

    /// <summary>The first version of a row: its keys and the increments (a parent.name path becomes a nested property).</summary>
    private static JsonObject Initial(string day, AttributionBucket bucket, string segment, IReadOnlyDictionary<string, double> increments)
    {
        var row = new JsonObject
        {
            ["day"] = day,
            ["channel"] = bucket.Channel,
            ["source"] = bucket.Source,
            ["variant"] = bucket.Variant,
            ["segment"] = segment,
        };
        foreach (var (path, value) in increments)
        {
            var dot = path.IndexOf('.', StringComparison.Ordinal);
            if (dot < 0)
            {
                row[path] = value;
                continue;
            }

            var parent = row[path[..dot]] as JsonObject ?? (JsonObject)(row[path[..dot]] = new JsonObject());
            parent[path[(dot + 1)..]] = value;
        }

        return row;
    }

    private static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
