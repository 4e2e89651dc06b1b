using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;

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

    /// <summary>
    /// Records a counted order: null when created now, else the record already there (a duplicate purchase
    /// event, or this very event recorded by a delivery that crashed: its <see cref="OrderAttribution.EventId"/> tells).
    /// </summary>
    public async Task<OrderAttribution?> TryAddOrderAsync(string subjectId, string orderId, OrderAttribution order, CancellationToken cancellationToken = default)
    {
        try
        {
            await documents.CreateAsync(Collections.Workflows, OrdersPartition(subjectId), OrderId(orderId), Json.ToElement(order),
                DocumentTimeToLive.After(options.Value.OrderRetention), cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (DocumentConflictException)
        {
            return await documents.GetAsync<OrderAttribution>(Collections.Workflows, OrdersPartition(subjectId), OrderId(orderId), cancellationToken).ConfigureAwait(false)
                ?? throw new DocumentConflictException($"order record {OrderId(orderId)} vanished after a conflict");
        }
    }

    /// <summary>A subject's attribution ledger: in the subject's orders partition, named by a hash.</summary>
    public Task<AttributionLedger?> UpdateLedgerAsync(string subjectId, Func<AttributionLedger?, AttributionLedger?> mutate, CancellationToken cancellationToken = default) =>
        documents.UpdateAsync(Collections.Workflows, OrdersPartition(subjectId), LedgerId, mutate, DocumentTimeToLive.After(UnitLifetime), cancellationToken);

    /// <summary>The id of a subject's ledger document (<see cref="UpdateLedgerAsync"/>).</summary>
    public const string LedgerId = "attribution-ledger";

    /// <summary>How long a unit and a ledger entry are kept: no event older than this passes validation again.</summary>
    public static readonly TimeSpan UnitLifetime = Ingestion.AggregateEventClaims.Lifetime;

    /// <summary>How many of the latest units applied a report row remembers.</summary>
    public const int RowUnitMemory = 64;

    public const string UnitPartitionPrefix = "attribution-units-";

    /// <summary>A unit's id: a hash of the identities of the events it records (a delivery of the same batch has the same).</summary>
    public static string UnitId(IEnumerable<string> eventIdentities) => "unit-" + Hash(string.Join('\n', eventIdentities.Order(StringComparer.Ordinal)))[..32];

    private static string UnitPartition(string unitId) => UnitPartitionPrefix + (Convert.ToInt32(unitId.Substring(5, 2), 16) % 32).ToString("D2", CultureInfo.InvariantCulture);

    /// <summary>A ledger key: a hash of an event's identity.</summary>
    public static string LedgerKey(string eventIdentity) => Hash(eventIdentity)[..20];

    public Task<AttributionUnit?> GetUnitAsync(string unitId, CancellationToken cancellationToken = default) =>
        documents.GetAsync<AttributionUnit>(Collections.Workflows, UnitPartition(unitId), unitId, cancellationToken);

    /// <summary>
    /// Writes a unit before any of its rows is touched, with each row's version read now; returns the unit (the
    /// one already there when a concurrent delivery of the same batch wrote it first) and the rows read (null then).
    /// </summary>
    public async Task<(AttributionUnit Unit, StoredDocument?[]? Rows)> BeginUnitAsync(string unitId, List<UnitRow> rows, CancellationToken cancellationToken = default)
    {
        var read = new StoredDocument?[rows.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, rows.Count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            read[i] = await documents.ReadAsync(Collections.Items, DayPartition(rows[i].Day), RowId(rows[i].Bucket, rows[i].Segment), ct).ConfigureAwait(false);
            rows[i].SeenVersion = read[i] is { } row && row.Body.TryGetProperty(VersionProperty, out var v) ? v.GetInt64() : 0;
        }).ConfigureAwait(false);
        var unit = new AttributionUnit { Rows = rows, Done = rows.Count == 0 };
        try
        {
            await documents.CreateAsync(Collections.Workflows, UnitPartition(unitId), unitId, Json.ToElement(unit), DocumentTimeToLive.After(UnitLifetime), cancellationToken).ConfigureAwait(false);
            return (unit, read);
        }
        catch (DocumentConflictException)
        {
            var existing = await GetUnitAsync(unitId, cancellationToken).ConfigureAwait(false) ?? throw new DocumentConflictException($"unit {unitId} vanished after a conflict");
            return (existing, null);
        }
    }

    /// <summary>
    /// Applies every row of a unit once (rows it was applied to already remember it), then marks it done.
    /// <paramref name="read"/>: the rows as <see cref="BeginUnitAsync"/> read them (null when resuming).
    /// </summary>
    public async Task ApplyUnitAsync(string unitId, AttributionUnit unit, StoredDocument?[]? read, CancellationToken cancellationToken = default)
    {
        if (unit.Done)
        {
            return;
        }

        var undecidable = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, unit.Rows.Count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var applied = await ApplyRowAsync(unitId, unit.Rows[i], read is null ? null : new StrongBox<StoredDocument?>(read[i]), ct).ConfigureAwait(false);
            if (applied is null)
            {
                undecidable.Add(unit.Rows[i].Day);
            }
        }).ConfigureAwait(false);
        foreach (var day in undecidable)
        {
            var increments = new Dictionary<string, double>(StringComparer.Ordinal) { [$"dropped.{DroppedReasons.UnitRowUndecidable}"] = 1 };
            await IncrementAsync(day, TotalsBucket, AttributionCounters.AllSegments, increments, cancellationToken).ConfigureAwait(false);
        }

        unit.Done = true;
        unit.Rows = [];
        await documents.UpsertAsync(Collections.Workflows, UnitPartition(unitId), unitId, Json.ToElement(unit), DocumentTimeToLive.After(UnitLifetime), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The bucket of a day's store totals row.</summary>
    public static readonly AttributionBucket TotalsBucket = new(AttributionCounters.TotalsChannel, AttributionCounters.TotalsChannel, AttributionCounters.TotalsChannel);

    private const string VersionProperty = "version";
    private const string UnitsProperty = "units";
    private const int MaxRowAttempts = 30;

    /// <summary>
    /// Adds a unit's increments to one row, ETag-guarded, with the unit's id in the row's memory of the last
    /// <see cref="RowUnitMemory"/> units: a row that remembers the unit has it already. Resuming (<paramref name="firstRead"/>
    /// null), a row written more than that often since the unit began cannot tell, and is left (applied: null).
    /// </summary>
    private async Task<bool?> ApplyRowAsync(string unitId, UnitRow row, StrongBox<StoredDocument?>? firstRead, CancellationToken cancellationToken)
    {
        var partition = DayPartition(row.Day);
        var id = RowId(row.Bucket, row.Segment);
        for (var attempt = 1; ; attempt++)
        {
            StoredDocument? current;
            if (attempt == 1 && firstRead is not null)
            {
                current = firstRead.Value;
            }
            else
            {
                current = await documents.ReadAsync(Collections.Items, partition, id, cancellationToken).ConfigureAwait(false);
            }

            var body = current is null ? Initial(row.Day, row.Bucket, row.Segment, new Dictionary<string, double>()) : JsonNode.Parse(current.Body.GetRawText())!.AsObject();
            var units = body[UnitsProperty] as JsonArray ?? [];
            if (units.Any(u => u?.GetValue<string>() == unitId))
            {
                return false;
            }

            var version = body[VersionProperty]?.GetValue<long>() ?? 0;
            if (firstRead is null && version - row.SeenVersion > RowUnitMemory)
            {
                return null;
            }

            foreach (var (path, value) in row.Increments)
            {
                Add(body, path, value);
            }

            var remembered = new JsonArray([.. units.Select(u => u?.GetValue<string>()).OfType<string>().TakeLast(RowUnitMemory - 1).Append(unitId).Select(u => (JsonNode)JsonValue.Create(u))]);
            body[UnitsProperty] = remembered;
            body[VersionProperty] = version + 1;
            try
            {
                var element = Json.ToElement(body);
                if (current is null)
                {
                    await documents.CreateAsync(Collections.Items, partition, id, element, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await documents.ReplaceAsync(Collections.Items, partition, id, element, current.ETag, cancellationToken).ConfigureAwait(false);
                }

                return true;
            }
            catch (DocumentConflictException) when (attempt < MaxRowAttempts)
            {
                await Task.Delay(Random.Shared.Next(1, 5 * Math.Min(attempt, 10)), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Adds <paramref name="value"/> at <paramref name="path"/> (<c>name</c> or <c>parent.name</c>), integral values staying integral.</summary>
    private static void Add(JsonObject row, string path, double value)
    {
        var dot = path.IndexOf('.', StringComparison.Ordinal);
        var (parent, name) = dot < 0 ? (row, path) : (row[path[..dot]] as JsonObject ?? (JsonObject)(row[path[..dot]] = new JsonObject()), path[(dot + 1)..]);
        var sum = (parent[name]?.GetValue<double>() ?? 0) + value;
        parent[name] = sum == Math.Floor(sum) && Math.Abs(sum) < 1e15 ? JsonValue.Create((long)sum) : JsonValue.Create(sum);
    }

    public Task<OrderAttribution?> UpdateOrderAsync(string subjectId, string orderId, Func<OrderAttribution?, OrderAttribution?> mutate, CancellationToken cancellationToken = default) =>
        documents.UpdateAsync(Collections.Workflows, OrdersPartition(subjectId), OrderId(orderId), mutate, DocumentTimeToLive.After(options.Value.OrderRetention), cancellationToken);

    /// <summary>Adds a row's increments (creating the row the first time).</summary>
    public Task IncrementAsync(string day, AttributionBucket bucket, string segment, IReadOnlyDictionary<string, double> increments, CancellationToken cancellationToken = default) =>
        documents.IncrementOrCreateAsync(Collections.Items, DayPartition(day), RowId(bucket, segment), increments, () => Initial(day, bucket, segment, increments), cancellationToken);

    /// <summary>A message delivered: one send on its row (email or push, source = the message kind) on the day it was sent; SMS has no row.</summary>
    public async Task CountSendAsync(string channel, string kind, DateTimeOffset sentAt, CancellationToken cancellationToken = default)
    {
        if (channel is not (AttributionChannels.Email or AttributionChannels.Push))
        {
            return;
        }

        var increments = new Dictionary<string, double>(StringComparer.Ordinal) { ["sends"] = 1 };
        await IncrementAsync(DayOf(sentAt), new AttributionBucket(channel, kind, AttributionBucket.NotSet), AttributionCounters.AllSegments, increments, cancellationToken).ConfigureAwait(false);
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
