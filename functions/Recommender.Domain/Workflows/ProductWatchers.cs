using Microsoft.Extensions.Options;
using Recommender.Domain.Catalog;
using Recommender.Domain.Events;
using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;

namespace Recommender.Domain.Workflows;

/// <summary>Why a customer watches a product, and the price they last saw it at.</summary>
/// <param name="ViewedAt">The latest view; it counts for <see cref="CatalogAlertOptions.ViewWindow"/>.</param>
/// <param name="WishlistedAt">When the product went on the wishlist; null once it came off.</param>
/// <param name="Price">The price seen at the latest view or wishlisting: the event's price, else the catalog's at that time.</param>
/// <param name="PriceSeenAt">When <see cref="Price"/> was seen.</param>
public sealed record Watch(DateTimeOffset? ViewedAt, DateTimeOffset? WishlistedAt, decimal? Price, DateTimeOffset PriceSeenAt)
{
    public const string Viewed = "viewed";
    public const string Wishlisted = "wishlisted";

    public bool IsViewing(DateTimeOffset at, TimeSpan window) => ViewedAt is { } viewed && at - viewed < window;

    public bool IsWishlisted => WishlistedAt is not null;

    /// <summary>Still a reason to alert: on the wishlist, or viewed within the window.</summary>
    public bool IsLive(DateTimeOffset at, TimeSpan window) => IsWishlisted || IsViewing(at, window);

    /// <summary>The strongest reason that holds at <paramref name="at"/>: <c>wishlisted</c>, <c>viewed</c>, or null.</summary>
    public string? ReasonAt(DateTimeOffset at, TimeSpan window) => IsWishlisted ? Wishlisted : IsViewing(at, window) ? Viewed : null;

    public DateTimeOffset LastTouched => new[] { ViewedAt ?? default, WishlistedAt ?? default, PriceSeenAt }.Max();
}

/// <summary>One shard of a product's watchers (collection <c>watchers</c>, partition = product id, id <c>watchers-NN</c>).</summary>
public sealed class WatcherShard
{
    public required string ProductId { get; init; }
    public Dictionary<string, Watch> Watchers { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>A customer's side of the index (collection <c>watchers</c>, partition = customer id, id <see cref="ProductWatchers.WatchListId"/>): found by erasure and export.</summary>
public sealed class WatchList
{
    /// <summary>Event ids remembered: enough for a batch delivered again soon after (Event Hubs retrying from its checkpoint).</summary>
    public const int MaxAppliedEvents = 100;

    public required string CustomerId { get; init; }
    public Dictionary<string, Watch> Products { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Ids of the latest events that changed the list: one delivered again is not applied twice.</summary>
    public List<string> AppliedEvents { get; set; } = [];
}

/// <summary>A product a customer watches, as the data export shows it.</summary>
public sealed record WatchedProduct(string ProductId, Watch Watch);

/// <summary>
/// The per-product watcher index the catalog alerts fan out over. A customer who may be profiled
/// and personalized for (analytics consent, not a minor, no objection, personalization not
/// withdrawn) becomes a watcher of a product by viewing or wishlisting it; a wishlist removal takes
/// the wishlist reason away, a purchase ends the watch, sensitive products are never watched.
/// Each watch is written twice: first on the customer's <see cref="WatchList"/> (so erasure and
/// export find everything, even after a crash between the two writes), then on the product's
/// <see cref="WatcherShard"/> (the shard is a hash of the customer id). Bounded: a view counts for
/// <see cref="CatalogAlertOptions.ViewWindow"/>, a product keeps at most <see cref="Shards"/> ×
/// <see cref="MaxPerShard"/> watchers and a customer watches at most <see cref="MaxPerCustomer"/>
/// products (the oldest views go first), and the container's TTL removes anything untouched for
/// <see cref="TimeToLive"/>. A repeated view within <see cref="RefreshAfter"/> at the same price writes nothing.
/// </summary>
public sealed class ProductWatchers(IDocumentStore documents, IOptions<CatalogAlertOptions> options, TimeProvider timeProvider)
{
    public const int Shards = 16;
    public const int MaxPerShard = 100;
    public const int MaxPerCustomer = 200;
    public const string WatchListId = "watch-list";
    /// <summary>The <c>watchers</c> container's time-to-live: a watch untouched this long is gone.</summary>
    public static readonly TimeSpan TimeToLive = TimeSpan.FromDays(180);
    public static readonly TimeSpan RefreshAfter = TimeSpan.FromDays(1);

    public static int ShardOf(string customerId) => (int)(StableHash.Fnv1a(customerId) % Shards);

    public static string ShardId(int shard) => $"watchers-{shard:D2}";

    private TimeSpan Window => options.Value.ViewWindow;

    /// <summary>
    /// Records the views, wishlist changes and purchases among <paramref name="applied"/>, and those among
    /// <paramref name="replayed"/> (a batch delivered again, maybe after a crash before or between the two
    /// writes) the list has not applied yet; the shards of the replayed products then take what the list says.
    /// </summary>
    public async Task RecordAsync(string customerId, IEnumerable<ClickstreamEvent> applied, IReadOnlyDictionary<string, Product> products,
        IEnumerable<ClickstreamEvent>? replayed = null, CancellationToken cancellationToken = default)
    {
        static bool Watches(ClickstreamEvent e) => e.Type is EventType.View or EventType.WishlistAdd or EventType.WishlistRemove or EventType.Purchase;
        var again = (replayed ?? []).Where(Watches).ToList();
        var events = applied.Where(Watches).Concat(again)
            .SelectMany(e => e.AllProductIds.Select(productId => (ProductId: productId, Event: e)))
            .Where(x => !(products.TryGetValue(x.ProductId, out var p) && p.Sensitive))
            .ToList();
        if (events.Count == 0)
        {
            return;
        }

        var now = timeProvider.GetUtcNow();
        var changed = new Dictionary<string, Watch?>(StringComparer.Ordinal);
        var written = await documents.UpdateAsync<WatchList>(Collections.Watchers, customerId, WatchListId, list =>
        {
            changed.Clear();
            list ??= new WatchList { CustomerId = customerId };
            var seen = list.AppliedEvents.ToHashSet(StringComparer.Ordinal);
            var fresh = events.Where(x => !seen.Contains(x.Event.Id)).ToList();
            foreach (var group in fresh.GroupBy(x => x.ProductId, x => x.Event, StringComparer.Ordinal))
            {
                var before = list.Products.GetValueOrDefault(group.Key);
                var catalogPrice = products.GetValueOrDefault(group.Key)?.Price;
                var after = group.OrderBy(e => e.OccurredAt).Aggregate(before, (w, e) => Apply(w, e, catalogPrice));
                after = after?.IsLive(now, Window) == true ? after : null;
                if (Matters(before, after))
                {
                    changed[group.Key] = after;
                    SetOrRemove(list.Products, group.Key, after);
                }
            }

            // Views past the window, then the oldest views beyond the cap, leave the list (and their shards).
            foreach (var productId in Overflow(list.Products, MaxPerCustomer, now))
            {
                changed[productId] = null;
                list.Products.Remove(productId);
            }

            if (changed.Count == 0)
            {
                return null;
            }

            foreach (var id in fresh.Select(x => x.Event.Id).Distinct(StringComparer.Ordinal))
            {
                AppliedEventIds.MarkApplied(list.AppliedEvents, id, WatchList.MaxAppliedEvents);
            }

            return list;
        }, cancellationToken).ConfigureAwait(false);

        var shard = ShardOf(customerId);
        foreach (var (productId, watch) in changed)
        {
            await UpdateShardAsync(productId, shard, s => SetOrRemove(s.Watchers, customerId, watch), cancellationToken).ConfigureAwait(false);
        }

        // Replayed: the shards may have missed the list's last write; they take what it says (written only when they differ).
        var repaired = again.SelectMany(e => e.AllProductIds).Distinct(StringComparer.Ordinal).Where(p => !changed.ContainsKey(p)).ToList();
        foreach (var productId in repaired)
        {
            var watch = written?.Products.GetValueOrDefault(productId);
            await UpdateShardAsync(productId, shard, s => s.Watchers.GetValueOrDefault(customerId) != watch && SetOrRemove(s.Watchers, customerId, watch), cancellationToken)
                .ConfigureAwait(false);
        }
    }

    /// <summary>Removes every watch of the customers (erasure, or profiling no longer allowed); returns how many there were.</summary>
    public async Task<int> ForgetAsync(IEnumerable<string> customerIds, CancellationToken cancellationToken = default)
    {
        var removed = 0;
        foreach (var customerId in customerIds)
        {
            var list = await GetListAsync(customerId, cancellationToken).ConfigureAwait(false);
            if (list is null)
            {
                continue;
            }

            // The customer's list goes last, so a retry after a crash still finds every product.
            var shard = ShardOf(customerId);
            foreach (var productId in list.Products.Keys)
            {
                await UpdateShardAsync(productId, shard, s => s.Watchers.Remove(customerId), cancellationToken).ConfigureAwait(false);
            }

            await documents.DeleteAsync(Collections.Watchers, customerId, WatchListId, cancellationToken).ConfigureAwait(false);
            removed += list.Products.Count;
        }

        return removed;
    }

    /// <summary>What the customer watches (data export).</summary>
    public async Task<IReadOnlyList<WatchedProduct>> ListAsync(string customerId, CancellationToken cancellationToken = default)
    {
        var list = await GetListAsync(customerId, cancellationToken).ConfigureAwait(false);
        return list is null ? [] : list.Products.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new WatchedProduct(p.Key, p.Value)).ToList();
    }

    public Task<WatchList?> GetListAsync(string customerId, CancellationToken cancellationToken = default) =>
        documents.GetAsync<WatchList>(Collections.Watchers, customerId, WatchListId, cancellationToken);

    /// <summary>One shard of a product's watchers, by customer id; empty when nobody is in it.</summary>
    public async Task<IReadOnlyDictionary<string, Watch>> ReadShardAsync(string productId, int shard, CancellationToken cancellationToken = default)
    {
        var document = await documents.GetAsync<WatcherShard>(Collections.Watchers, productId, ShardId(shard), cancellationToken).ConfigureAwait(false);
        return document?.Watchers ?? [];
    }

    /// <summary>One event folded into a watch: a view or a wishlisting (re)starts a reason and records the price seen; a purchase ends the watch.</summary>
    internal static Watch? Apply(Watch? watch, ClickstreamEvent e, decimal? catalogPrice)
    {
        switch (e.Type)
        {
            case EventType.Purchase:
                return null;
            case EventType.WishlistRemove:
                return watch is null ? null : watch with { WishlistedAt = null };
        }

        var at = e.OccurredAt;
        var next = watch ?? new Watch(null, null, null, at);
        next = e.Type == EventType.View
            ? next with { ViewedAt = Later(next.ViewedAt, at) }
            : next with { WishlistedAt = Later(next.WishlistedAt, at) };
        var seen = e.Price ?? catalogPrice;
        return seen is not null && (watch is null || at >= watch.PriceSeenAt) ? next with { Price = seen, PriceSeenAt = at } : next;
    }

    /// <summary>Worth a write: a watch starts or ends, a reason changes, the price seen changes, or a view refreshes after <see cref="RefreshAfter"/>.</summary>
    private static bool Matters(Watch? before, Watch? after) =>
        before is null || after is null
        ? before != after
        : before.WishlistedAt != after.WishlistedAt || before.Price != after.Price
          || (after.ViewedAt is { } viewed && (before.ViewedAt is not { } earlier || viewed - earlier >= RefreshAfter));

    /// <summary>Read-modify-write of one shard; drops views past the window and, when full, the oldest views, then the oldest wishlistings.</summary>
    private Task UpdateShardAsync(string productId, int shard, Func<WatcherShard, bool> change, CancellationToken cancellationToken) =>
        documents.UpdateAsync<WatcherShard>(Collections.Watchers, productId, ShardId(shard), s =>
        {
            var existed = s is not null;
            s ??= new WatcherShard { ProductId = productId };
            var changed = change(s);
            var dropped = Overflow(s.Watchers, MaxPerShard, timeProvider.GetUtcNow());
            foreach (var key in dropped)
            {
                s.Watchers.Remove(key);
            }

            return (changed || dropped.Count > 0) && (existed || s.Watchers.Count > 0) ? s : null;
        }, cancellationToken);

    /// <summary>Keys to drop from <paramref name="watches"/>: watches no longer live, and beyond <paramref name="max"/> the oldest views, then the oldest wishlistings.</summary>
    private List<string> Overflow(Dictionary<string, Watch> watches, int max, DateTimeOffset now) =>
        watches.Where(w => !w.Value.IsLive(now, Window)).Select(w => w.Key)
            .Concat(watches.OrderByDescending(w => w.Value.IsWishlisted).ThenByDescending(w => w.Value.LastTouched).Skip(max).Select(w => w.Key))
            .Distinct(StringComparer.Ordinal)
            .ToList();

    private static bool SetOrRemove(Dictionary<string, Watch> watches, string key, Watch? watch)
    {
        if (watch is null)
        {
            return watches.Remove(key);
        }

        watches[key] = watch;
        return true;
    }

    private static DateTimeOffset Later(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x > b ? x : b;
}
