using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Recommender.Domain.Catalog;
using Recommender.Domain.Events;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Workflows;

namespace Recommender.Domain.Ingestion;

/// <summary>
/// Ingests one batch of raw events, whatever its source (Event Hubs invocation or HTTP):
/// validate each event (refusals are dead-lettered with the reason; the rest of the batch goes on),
/// archive the valid ones, then per customer apply them to the profile in event-time order exactly
/// once (event ids are remembered in the profile, written with ETag concurrency), update the
/// anonymous item counters and popularity, drive the cart-abandonment workflow and refresh the
/// customer's cached recommendations.
/// </summary>
public sealed partial class IngestionService(
    EventValidator validator,
    EventArchive archive,
    DeadLetters deadLetters,
    ProfileStore profiles,
    CatalogProvider catalog,
    RecommendationService recommendations,
    CartAbandonmentWorkflow cartAbandonment,
    TimeProvider timeProvider,
    ILogger<IngestionService> logger)
{
    /// <summary>Customers processed at once within a batch.</summary>
    public const int MaxParallelCustomers = 8;

    public async Task<IngestionResult> IngestAsync(IReadOnlyList<string> bodies, string source, CancellationToken cancellationToken = default)
    {
        var now = timeProvider.GetUtcNow();
        var batchId = $"{now.UtcDateTime:yyyyMMddHHmmss}-{Guid.CreateVersion7(now):N}";
        var outcomes = new EventOutcome[bodies.Count];
        var valid = new List<ClickstreamEvent>();
        var refused = new List<DeadLetter>();
        var seenInBatch = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < bodies.Count; i++)
        {
            var validation = validator.Validate(bodies[i]);
            if (validation.Event is { } e)
            {
                var dropped = validation.DroppedFields.Count;
                outcomes[i] = new EventOutcome(i, e.Id, true, DroppedFieldCount: dropped > 0 ? dropped : null);
                if (seenInBatch.Add(e.Id))
                {
                    valid.Add(e);
                }
            }
            else
            {
                outcomes[i] = new EventOutcome(i, validation.EventId, false, validation.Error);
                refused.Add(new DeadLetter(validation.Error!, bodies[i], source, now, validation.EventId));
            }
        }

        var operations = 0;
        if (refused.Count > 0)
        {
            await deadLetters.WriteAsync(batchId, refused, now, cancellationToken).ConfigureAwait(false);
            operations++;
            LogRefused(logger, refused.Count, bodies.Count, source);
        }

        if (valid.Count == 0)
        {
            return new IngestionResult(outcomes, 0, 0, 0, operations);
        }

        await archive.AppendAsync(batchId, valid, now, cancellationToken).ConfigureAwait(false);
        var products = await catalog.GetAsync(cancellationToken).ConfigureAwait(false);
        var applied = new ConcurrentBag<ProfileChanges>();
        var customerOperations = 0;
        // Events go to their subject's profile: the customer, or "anon:<anonymousId>"; catalog_change
        // events are about no one and are only archived.
        var attributed = valid.Where(e => e.SubjectId is not null).ToList();
        var byCustomer = attributed.GroupBy(e => e.SubjectId!, StringComparer.Ordinal).ToList();
        await Parallel.ForEachAsync(byCustomer, new ParallelOptions { MaxDegreeOfParallelism = MaxParallelCustomers, CancellationToken = cancellationToken },
            async (group, ct) =>
            {
                var (changes, ops) = await ApplyToCustomerAsync(group.Key, group.ToList(), products, now, ct).ConfigureAwait(false);
                applied.Add(changes);
                Interlocked.Add(ref customerOperations, ops);
            }).ConfigureAwait(false);

        operations += 1 + customerOperations + await UpdateItemCountersAsync(applied, cancellationToken).ConfigureAwait(false);
        var appliedCount = applied.Sum(c => c.Applied.Count);
        return new IngestionResult(outcomes, appliedCount, attributed.Count - appliedCount, byCustomer.Count, operations);
    }

    private async Task<(ProfileChanges Changes, int Operations)> ApplyToCustomerAsync(string customerId, List<ClickstreamEvent> events,
        IReadOnlyDictionary<string, Product> products, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ProfileChanges changes = new();
        var profile = await profiles.UpdateAsync(customerId, current =>
        {
            var isNew = current is null;
            current ??= new CustomerProfile { CustomerId = customerId, CreatedAt = now, UpdatedAt = now };
            changes = ProfileUpdater.Apply(current, events, products, now);
            changes.IsNewProfile = isNew;
            return changes.Applied.Count > 0 ? current : null;
        }, cancellationToken).ConfigureAwait(false);

        var operations = 2;
        if (profile is null || changes.Applied.Count == 0)
        {
            return (changes, operations);
        }

        if (changes.IsNewProfile)
        {
            await profiles.RegisterCustomerAsync(customerId, cancellationToken).ConfigureAwait(false);
            operations++;
        }

        if (changes.CartChanged)
        {
            await cartAbandonment.OnCartChangedAsync(profile, changes.Purchased, cancellationToken).ConfigureAwait(false);
            operations += 3;
        }

        if (changes.Material)
        {
            await recommendations.RefreshCacheAsync(profile, cancellationToken).ConfigureAwait(false);
            operations++;
        }

        return (changes, operations);
    }

    /// <summary>One read-modify-write per product touched by the batch, plus one for popularity.</summary>
    private async Task<int> UpdateItemCountersAsync(IEnumerable<ProfileChanges> changes, CancellationToken cancellationToken)
    {
        var deltas = new Dictionary<string, ItemStats>(StringComparer.Ordinal);
        var popularity = new Dictionary<string, double>(StringComparer.Ordinal);
        ItemStats For(string id) => deltas.TryGetValue(id, out var s) ? s : deltas[id] = new ItemStats { ProductId = id };
        foreach (var change in changes)
        {
            foreach (var e in change.Applied)
            {
                var (weight, apply) = e.Type switch
                {
                    EventType.View => (1.0, (Action<ItemStats>)(s => s.Views++)),
                    EventType.AddToCart => (3.0, s => s.AddToCarts++),
                    EventType.Purchase => (5.0, s => s.Purchases++),
                    _ => (0.0, null!),
                };
                if (weight == 0)
                {
                    continue;
                }

                foreach (var productId in e.AllProductIds)
                {
                    apply(For(productId));
                    popularity[productId] = popularity.GetValueOrDefault(productId) + weight;
                }
            }

            foreach (var (a, b) in change.CoViewed)
            {
                For(a).CoViewed[b] = For(a).CoViewed.GetValueOrDefault(b) + 1;
                For(b).CoViewed[a] = For(b).CoViewed.GetValueOrDefault(a) + 1;
            }
        }

        await Parallel.ForEachAsync(deltas.Values, new ParallelOptions { MaxDegreeOfParallelism = MaxParallelCustomers, CancellationToken = cancellationToken },
            async (delta, ct) => await profiles.UpdateItemAsync(delta.ProductId, current =>
            {
                current ??= new ItemStats { ProductId = delta.ProductId };
                current.Views += delta.Views;
                current.AddToCarts += delta.AddToCarts;
                current.Purchases += delta.Purchases;
                foreach (var (other, count) in delta.CoViewed)
                {
                    current.CoViewed[other] = current.CoViewed.GetValueOrDefault(other) + count;
                }

                current.Trim();
                return current;
            }, ct).ConfigureAwait(false)).ConfigureAwait(false);

        if (popularity.Count > 0)
        {
            var now = timeProvider.GetUtcNow();
            await profiles.UpdatePopularityAsync(board =>
            {
                board ??= new PopularityBoard();
                board.Add(popularity, now);
                return board;
            }, cancellationToken).ConfigureAwait(false);
        }

        return 2 * deltas.Count + (popularity.Count > 0 ? 2 : 0);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dead-lettered {Refused} of {Total} events from {Source}")]
    private static partial void LogRefused(ILogger logger, int refused, int total, string source);
}
