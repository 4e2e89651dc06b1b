using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recommender.Domain.Catalog;
using Recommender.Domain.Events;
using Recommender.Domain.Messaging;
using Recommender.Domain.Ports;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Ports.Storage;
using Recommender.Domain.Webhooks;

namespace Recommender.Domain.Workflows;

/// <summary>
/// Catalog alerts — price drop, back in stock, flash sale — as one process, step by step:
/// <list type="number">
/// <item><b>Watch</b> (ingestion): customers who may be profiled and personalized for become watchers of the products they view or wishlist (<see cref="ProductWatchers"/>).</item>
/// <item><b>Detect</b> (ingestion, before the catalog snapshot changes): each catalog_change, in event-time order, against what the alerts know of the product
/// (<see cref="CatalogAlertState"/>): a lower price is a price drop, out of stock → in stock is back in stock, a sale is a flash sale. The state records the change
/// id with what it raised, then the fan-out is queued and marked queued, so a redelivered change raises nothing new and a crash in between only queues it again.</item>
/// <item><b>Fan out</b>: one <c>catalog-alerts</c> message per watcher shard of the product, or per customer-directory shard for a flash sale.</item>
/// <item><b>Scan a shard</b>: the watchers the alert concerns (price at least the threshold below what they saw; wishlisted for back in stock) → one message per customer;
/// a directory shard → pages of <see cref="PageSize"/> customer ids.</item>
/// <item><b>Scan a page</b> (flash sale): customers whose strongest category affinities include the sale's category → one message per customer.</item>
/// <item><b>Notify</b>: the gates (profiling and personalization allowed, channel consent, a provider, not already bought), then one message to the outbox, whose
/// delivery applies the send rules (suppression, caps, quiet hours) at send time.</item>
/// </list>
/// Every message to a customer has an id derived from (kind, customer, subject, occurrence) and the outbox keeps the first per id, so
/// redelivered changes and fan-out messages, and a second report of the same drop, reach a customer once.
/// </summary>
public sealed partial class CatalogAlertsWorkflow(WorkflowServices services, MessageSources sources, ProductWatchers watchers,
    IOptions<CatalogAlertOptions> options, ILogger<CatalogAlertsWorkflow> logger) : IQueueStep<CatalogAlertMessage>
{
    /// <summary>Its fan-out's queue: its entry in <c>Ports/Storage/queues.json</c> (<see cref="IQueueStep{TMessage}"/>).</summary>
    public static string Queue => "catalog-alerts";

    bool IQueueStep<CatalogAlertMessage>.IsComplete(CatalogAlertMessage message) => message.IsWellFormed;

    Task IQueueStep<CatalogAlertMessage>.RunAsync(CatalogAlertMessage message, CancellationToken cancellationToken) => HandleAsync(message, cancellationToken);

    public const string ProductStateId = "#catalog-alerts";
    public const string SalesPartition = "_flash-sales";
    public const string Channel = MessageChannels.Email;
    public const string PriceDropKind = "price_drop";
    public const string BackInStockKind = "back_in_stock";
    public const string FlashSaleKind = "flash_sale";
    public const string CategoryAffinityReason = "category_affinity";
    /// <summary>Customer ids per flash-sale page message.</summary>
    public const int PageSize = 100;
    private const int RecommendationCount = 4;

    public static string KindOf(CatalogAlertKind kind) => kind switch
    {
        CatalogAlertKind.PriceDrop => PriceDropKind,
        CatalogAlertKind.BackInStock => BackInStockKind,
        _ => FlashSaleKind,
    };

    /// <summary>The message id (and provider idempotency key) of an occurrence's message to one customer.</summary>
    public static string MessageIdOf(CatalogAlert alert, string customerId) =>
        $"{KindOf(alert.Kind)}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{customerId}\n{alert.Subject}\n{alert.Occurrence}")))[..32]}";

    /// <summary>Step 1, after a subject's events are applied: record what they watch now, or forget it all once profiling is not allowed.</summary>
    public async Task OnCustomerEventsAsync(CustomerProfile profile, ProfileChanges changes, IReadOnlyDictionary<string, Product> products,
        CancellationToken cancellationToken = default)
    {
        if (profile.CustomerId.StartsWith(ClickstreamEvent.AnonymousSubjectPrefix, StringComparison.Ordinal))
        {
            return; // an anonymous visitor cannot be written to
        }

        if (!profile.PersonalizationAllowed(services.TimeProvider.GetUtcNow()))
        {
            if (changes.BehaviourCleared || changes.ConsentChanged)
            {
                await watchers.ForgetAsync([profile.CustomerId], cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        // Replayed events too: a crash after the profile write may have come before the watches were (all) written.
        if (changes.Profiled || (changes.Replayed.Count > 0 && profile.ProfilingAllowed(services.TimeProvider.GetUtcNow())))
        {
            await watchers.RecordAsync(profile.CustomerId, changes.Applied, products, changes.Replayed, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Step 2, before the catalog snapshot takes the changes: detect and queue each occurrence.</summary>
    public async Task OnCatalogChangesAsync(IReadOnlyList<ClickstreamEvent> changes, CancellationToken cancellationToken = default)
    {
        if (changes.Count == 0)
        {
            return;
        }

        var before = await sources.Catalog.GetAsync(cancellationToken).ConfigureAwait(false);
        foreach (var e in changes.OrderBy(e => e.OccurredAt).ThenBy(e => e.Id, StringComparer.Ordinal))
        {
            await (e.Change == CatalogChangeKind.Sale
                ? DetectAsync(SalesPartition, e.Category!.ToLowerInvariant(), e.Category!, e, state => DetectSale(state, e), cancellationToken)
                : DetectAsync(e.ProductId!, ProductStateId, e.ProductId!, e, state => DetectProductChange(state, e, before.GetValueOrDefault(e.ProductId!)), cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <summary>Steps 3 to 6: one <c>catalog-alerts</c> queue message.</summary>
    public Task HandleAsync(CatalogAlertMessage message, CancellationToken cancellationToken = default) => message.Step switch
    {
        CatalogAlertStep.FanOut => FanOutAsync(message, cancellationToken),
        CatalogAlertStep.Shard => ScanShardAsync(message, cancellationToken),
        CatalogAlertStep.Page => ScanPageAsync(message, cancellationToken),
        CatalogAlertStep.Notify => NotifyAsync(message, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(message), message.Step, "unknown catalog alert step"),
    };

    /// <summary>
    /// A product change against what is known of the product: a price below the last one is a price
    /// drop (the first fall after a rise starts a new occurrence, further falls continue it), a rise
    /// ends the drop, out of stock → in stock is back in stock. A change older than the last one raises nothing.
    /// </summary>
    internal static List<CatalogAlert> DetectProductChange(CatalogAlertState state, ClickstreamEvent e, Product? before)
    {
        var alerts = new List<CatalogAlert>();
        if (state.ChangedAt is { } last && e.OccurredAt < last)
        {
            return alerts;
        }

        state.ChangedAt = e.OccurredAt;
        if (e.Change == CatalogChangeKind.Discontinued)
        {
            state.DropOccurrence = null;
            return alerts;
        }

        var previousPrice = state.Price ?? before?.Price ?? e.PreviousPrice;
        if (e.Price is { } price && previousPrice is { } previous)
        {
            if (price < previous)
            {
                state.DropOccurrence ??= e.Id;
                alerts.Add(new CatalogAlert(CatalogAlertKind.PriceDrop, e.ProductId!, state.DropOccurrence, e.Id, e.OccurredAt, price, previous));
            }
            else if (price > previous)
            {
                state.DropOccurrence = null;
            }
        }

        state.Price = e.Price ?? previousPrice;
        if (e.InStock is { } inStock)
        {
            if (inStock && !(state.InStock ?? before?.InStock ?? true))
            {
                alerts.Add(new CatalogAlert(CatalogAlertKind.BackInStock, e.ProductId!, e.Id, e.Id, e.OccurredAt, state.Price));
            }

            state.InStock = inStock;
        }

        return alerts;
    }

    /// <summary>A sale in a category: one occurrence per category and UTC day (a second announcement that day is the same sale).</summary>
    internal static List<CatalogAlert> DetectSale(CatalogAlertState state, ClickstreamEvent e)
    {
        var day = e.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return state.Changes.Any(c => c.Alerts.Any(a => a.Occurrence == day))
            ? []
            : [new CatalogAlert(CatalogAlertKind.FlashSale, e.Category!, day, e.Id, e.OccurredAt, Percent: e.Percent, Name: e.Name)];
    }

    /// <summary>Why a watcher hears of an alert (<c>viewed</c>, <c>wishlisted</c>); null when they do not.</summary>
    public string? ReasonFor(CatalogAlert alert, Watch watch) => alert.Kind switch
    {
        CatalogAlertKind.PriceDrop when watch.Price is { } seen && alert.Price <= seen * (1 - options.Value.PriceDropThreshold)
            => watch.ReasonAt(alert.At, options.Value.ViewWindow),
        CatalogAlertKind.BackInStock when watch.IsWishlisted => Watch.Wishlisted,
        _ => null,
    };

    /// <summary>The category is among the customer's <see cref="CatalogAlertOptions.TopCategories"/> strongest category affinities.</summary>
    public bool PrefersCategory(CustomerProfile profile, string category) =>
        profile.CategoryAffinities.OrderByDescending(a => a.Value).ThenBy(a => a.Key, StringComparer.Ordinal).Take(options.Value.TopCategories)
            .Any(a => string.Equals(a.Key, category, StringComparison.OrdinalIgnoreCase));

    private async Task DetectAsync(string partition, string id, string subject, ClickstreamEvent e, Func<CatalogAlertState, List<CatalogAlert>> detect,
        CancellationToken cancellationToken)
    {
        ProcessedChange? change = null;
        await services.Documents.UpdateAsync<CatalogAlertState>(Collections.Items, partition, id, state =>
        {
            state ??= new CatalogAlertState { Subject = subject };
            change = state.Changes.Find(c => c.ChangeId == e.Id);
            if (change is not null)
            {
                return null; // redelivered: what it raised is recorded
            }

            change = new ProcessedChange(e.Id, detect(state), Queued: false);
            state.Record(change);
            return state;
        }, cancellationToken).ConfigureAwait(false);
        if (change is null || change.Queued || change.Alerts.Count == 0)
        {
            return;
        }

        foreach (var alert in change.Alerts)
        {
            await SendAsync(new CatalogAlertMessage(CatalogAlertStep.FanOut, alert), cancellationToken).ConfigureAwait(false);
            LogDetected(logger, KindOf(alert.Kind), e.Id);
        }

        await services.Documents.UpdateAsync<CatalogAlertState>(Collections.Items, partition, id, state =>
        {
            var index = state?.Changes.FindIndex(c => c.ChangeId == e.Id) ?? -1;
            if (index < 0 || state!.Changes[index].Queued)
            {
                return null;
            }

            state.Changes[index] = state.Changes[index] with { Queued = true };
            return state;
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task FanOutAsync(CatalogAlertMessage message, CancellationToken cancellationToken)
    {
        var shards = message.Alert.Kind == CatalogAlertKind.FlashSale ? ProfileStore.DirectoryShards : ProductWatchers.Shards;
        for (var shard = 0; shard < shards; shard++)
        {
            await SendAsync(message with { Step = CatalogAlertStep.Shard, Shard = shard }, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ScanShardAsync(CatalogAlertMessage message, CancellationToken cancellationToken)
    {
        var queued = 0;
        if (message.Alert.Kind == CatalogAlertKind.FlashSale)
        {
            var page = new List<string>(PageSize);
            await foreach (var customerId in sources.Profiles.CustomersInShardAsync(ProfileStore.AllShards.ElementAt(message.Shard), cancellationToken).ConfigureAwait(false))
            {
                if (!customerId.StartsWith(ClickstreamEvent.AnonymousSubjectPrefix, StringComparison.Ordinal))
                {
                    page.Add(customerId);
                }

                if (page.Count == PageSize)
                {
                    await SendAsync(message with { Step = CatalogAlertStep.Page, Customers = [.. page] }, cancellationToken).ConfigureAwait(false);
                    page.Clear();
                    queued++;
                }
            }

            if (page.Count > 0)
            {
                await SendAsync(message with { Step = CatalogAlertStep.Page, Customers = page }, cancellationToken).ConfigureAwait(false);
                queued++;
            }

            if (queued == 0)
            {
                LogNobody(logger, KindOf(message.Alert.Kind), message.Step, message.Shard, "no known customer in the shard");
            }

            return;
        }

        var watches = await watchers.ReadShardAsync(message.Alert.Subject, message.Shard, cancellationToken).ConfigureAwait(false);
        foreach (var (customerId, watch) in watches.OrderBy(w => w.Key, StringComparer.Ordinal))
        {
            if (ReasonFor(message.Alert, watch) is { } reason)
            {
                await SendAsync(message with { Step = CatalogAlertStep.Notify, CustomerId = customerId, SeenPrice = watch.Price, Reason = reason }, cancellationToken)
                    .ConfigureAwait(false);
                queued++;
            }
        }

        if (queued == 0)
        {
            LogNobody(logger, KindOf(message.Alert.Kind), message.Step, message.Shard,
                watches.Count == 0 ? "nobody in the shard watches the product" : $"none of the {watches.Count} watchers qualifies (the drop is too small against the price they saw, the view is too old, or not wishlisted)");
        }
    }

    private async Task ScanPageAsync(CatalogAlertMessage message, CancellationToken cancellationToken)
    {
        var now = services.TimeProvider.GetUtcNow();
        var queued = 0;
        foreach (var customerId in message.Customers ?? [])
        {
            var profile = await sources.Profiles.GetAsync(customerId, cancellationToken).ConfigureAwait(false);
            if (profile is not null && profile.PersonalizationAllowed(now) && SendRules.ConsentProblem(profile, Channel) is null && PrefersCategory(profile, message.Alert.Subject))
            {
                await SendAsync(message with { Step = CatalogAlertStep.Notify, Customers = null, CustomerId = customerId, Reason = CategoryAffinityReason }, cancellationToken)
                    .ConfigureAwait(false);
                queued++;
            }
        }

        if (queued == 0)
        {
            LogNobody(logger, KindOf(message.Alert.Kind), message.Step, message.Shard,
                $"none of the page's {message.Customers?.Count ?? 0} customers qualifies (unknown, not personalized for, no email consent, or no affinity for the category)");
        }
    }

    private async Task NotifyAsync(CatalogAlertMessage message, CancellationToken cancellationToken)
    {
        var alert = message.Alert;
        var customerId = message.CustomerId ?? throw new ArgumentException("a notify message names its customer", nameof(message));
        var messageId = MessageIdOf(alert, customerId);
        if (await services.Outbox.GetAsync(customerId, messageId, cancellationToken).ConfigureAwait(false) is { } decided)
        {
            // A redelivered or repeated fan-out: this customer has it already. Handed over again all the same, so
            // that a crash after the outbox entry and before its delivery was queued does not leave it waiting.
            await services.Outbox.EnqueueAsync(decided.Message, cancellationToken).ConfigureAwait(false);
            return;
        }

        var now = services.TimeProvider.GetUtcNow();
        var profile = await sources.Profiles.GetAsync(customerId, cancellationToken).ConfigureAwait(false);
        var skip = profile switch
        {
            null => "customer unknown",
            _ when !profile.PersonalizationAllowed(now) => "profiling or personalization not allowed",
            _ when SendRules.ConsentProblem(profile, Channel) is { } noConsent => noConsent,
            _ when !sources.CanSend(Channel) => "no email provider configured",
            _ when alert.Kind != CatalogAlertKind.FlashSale && profile.Purchased.ContainsKey(alert.Subject) => "already bought",
            _ => null,
        };
        if (skip is not null)
        {
            LogSkipped(logger, KindOf(alert.Kind), skip);
            return;
        }

        await services.HandOverAsync(messageId, customerId, Channel, KindOf(alert.Kind), now, () => ComposeAsync(message, profile!, messageId, now, cancellationToken),
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> ComposeAsync(CatalogAlertMessage message, CustomerProfile profile, string messageId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var alert = message.Alert;
        var sale = alert.Kind == CatalogAlertKind.FlashSale;
        var recs = await sources.Recommendations.GetAsync(new RecommendationRequest(profile.CustomerId, Placement.Email, RecommendationCount)
        {
            Filters = sale ? new ServingFilters { IncludeCategories = new HashSet<string>([alert.Subject], StringComparer.OrdinalIgnoreCase) } : ServingFilters.None,
        }, cancellationToken).ConfigureAwait(false);
        object? product = null;
        if (!sale)
        {
            var products = await sources.Catalog.GetAsync(cancellationToken).ConfigureAwait(false);
            products.TryGetValue(alert.Subject, out var p);
            var price = alert.Price ?? p?.Price;
            var seen = alert.Kind == CatalogAlertKind.PriceDrop ? message.SeenPrice : null;
            product = new
            {
                productId = alert.Subject,
                name = p?.Name,
                price,
                previousPrice = seen,
                percentOff = seen is > 0 && price is { } lower ? Math.Round((seen.Value - lower) / seen.Value * 100, 0) : (decimal?)null,
                inStock = alert.Kind == CatalogAlertKind.BackInStock ? true : p?.InStock,
                imageUrl = p?.ImageUrl,
                url = p?.Url,
            };
        }

        return JsonSerializer.Serialize(new
        {
            messageId,
            type = KindOf(alert.Kind),
            channel = Channel,
            customerId = profile.CustomerId,
            createdAt = now,
            reason = message.Reason,
            product,
            sale = sale ? new { category = alert.Subject, percent = alert.Percent, name = alert.Name, announcedAt = alert.At } : null,
            recommendationId = recs.RecommendationId,
            recommendations = recs,
            customerScores = await sources.LifecycleScores.ForAsync(profile.CustomerId, profile, cancellationToken).ConfigureAwait(false),
        }, Json.Options);
    }

    private Task SendAsync(CatalogAlertMessage message, CancellationToken cancellationToken) =>
        services.Queue.SendAsync(Queue, JsonSerializer.Serialize(message, Json.Options), TimeSpan.Zero, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Catalog change {ChangeId} raised a {Kind} alert; fan-out queued")]
    private static partial void LogDetected(ILogger logger, string kind, string changeId);

    [LoggerMessage(Level = LogLevel.Information, Message = "A {Kind} alert's {Step} message of shard {Shard} notifies nobody: {Reason}")]
    private static partial void LogNobody(ILogger logger, string kind, CatalogAlertStep step, int shard, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "A {Kind} alert was not sent to a customer: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string kind, string reason);
}
