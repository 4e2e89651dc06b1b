using Recommender.Domain.Ports;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Domain.Profiles;

/// <summary>
/// Windowed trending (1 h, 24 h, 7 d): interaction weights summed in one document per hour
/// (collection <c>items</c>, partition <c>_trending</c>, id <c>h-yyyyMMddHH</c>), updated once per hour
/// touched by a batch; a window sums the buckets it covers (the oldest one pro rata). Anonymous:
/// product ids and weights only. Read through a one-minute in-memory cache.
/// </summary>
public sealed class TrendingStore(IDocumentStore documents, TimeProvider timeProvider)
{
    public const string PartitionKey = "_trending";
    public const int MaxProductsPerBucket = 5000;
    public static readonly TimeSpan LongestWindow = TimeSpan.FromDays(7);
    public static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private (DateTimeOffset At, IReadOnlyList<Bucket> Buckets)? _cache;

    public sealed class Bucket
    {
        public DateTimeOffset Hour { get; set; }
        public Dictionary<string, double> Weights { get; set; } = new(StringComparer.Ordinal);
    }

    public static string IdOf(DateTimeOffset hour) => $"h-{hour.UtcDateTime:yyyyMMddHH}";

    /// <summary>Adds weights at their event times: one read-modify-write per hour bucket.</summary>
    public async Task AddAsync(IEnumerable<(string ProductId, DateTimeOffset At, double Weight)> interactions, CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        foreach (var hour in interactions.Where(i => now - i.At < LongestWindow).GroupBy(i => HourOf(i.At)))
        {
            var weights = hour.GroupBy(i => i.ProductId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(i => i.Weight), StringComparer.Ordinal);
            await documents.UpdateAsync<Bucket>(Collections.Items, PartitionKey, IdOf(hour.Key), bucket =>
            {
                bucket ??= new Bucket { Hour = hour.Key };
                foreach (var (productId, weight) in weights)
                {
                    bucket.Weights[productId] = bucket.Weights.GetValueOrDefault(productId) + weight;
                }

                if (bucket.Weights.Count > MaxProductsPerBucket)
                {
                    bucket.Weights = bucket.Weights.OrderByDescending(kv => kv.Value).Take(MaxProductsPerBucket).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
                }

                return bucket;
            }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The products with the most interaction weight over the last <paramref name="window"/>.</summary>
    public async Task<IReadOnlyList<ScoredItem>> TopAsync(TimeSpan window, int count, CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        var buckets = await BucketsAsync(now, cancellationToken).ConfigureAwait(false);
        var from = now - window;
        var totals = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var bucket in buckets)
        {
            var end = bucket.Hour + TimeSpan.FromHours(1);
            if (end <= from || bucket.Hour > now)
            {
                continue;
            }

            var share = bucket.Hour >= from ? 1.0 : (end - from) / TimeSpan.FromHours(1);
            foreach (var (productId, weight) in bucket.Weights)
            {
                totals[productId] = totals.GetValueOrDefault(productId) + weight * share;
            }
        }

        return totals.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(count)
            .Select(kv => new ScoredItem(kv.Key, Math.Round(kv.Value, 6))).ToList();
    }

    /// <summary>Deletes buckets older than the longest window; returns how many.</summary>
    public async Task<int> PruneAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var stale = new List<string>();
        await foreach (var doc in documents.ReadPartitionAsync(Collections.Items, PartitionKey, cancellationToken).ConfigureAwait(false))
        {
            if (Json.FromElement<Bucket>(doc.Body).Hour + TimeSpan.FromHours(1) < now - LongestWindow)
            {
                stale.Add(doc.Id);
            }
        }

        foreach (var id in stale)
        {
            await documents.DeleteAsync(Collections.Items, PartitionKey, id, cancellationToken).ConfigureAwait(false);
        }

        lock (_gate)
        {
            _cache = null;
        }

        return stale.Count;
    }

    private async Task<IReadOnlyList<Bucket>> BucketsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_cache is { } cached && now - cached.At < CacheFor)
            {
                return cached.Buckets;
            }
        }

        var buckets = new List<Bucket>();
        await foreach (var doc in documents.ReadPartitionAsync(Collections.Items, PartitionKey, cancellationToken).ConfigureAwait(false))
        {
            buckets.Add(Json.FromElement<Bucket>(doc.Body));
        }

        lock (_gate)
        {
            _cache = (now, buckets);
        }

        return buckets;
    }

    private static DateTimeOffset HourOf(DateTimeOffset at) => new(at.UtcDateTime.Year, at.UtcDateTime.Month, at.UtcDateTime.Day, at.UtcDateTime.Hour, 0, 0, TimeSpan.Zero);
}
