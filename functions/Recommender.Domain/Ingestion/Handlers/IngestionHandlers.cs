using Microsoft.Extensions.DependencyInjection;

namespace Recommender.Domain.Ingestion.Handlers;

/// <summary>
/// The reactions ingestion drives, registered in the order they run. <see cref="IngestionService"/> knows
/// none of them: it calls whatever <see cref="ICatalogChangesHandler"/>, <see cref="ISubjectChangesHandler"/>
/// and <see cref="IBatchChangesHandler"/> the container holds, in registration order. Adding a reaction
/// is a handler class and one line here (or, from outside the domain, one <c>Add…Handler</c> call after
/// <see cref="DomainServices.AddRecommenderDomain"/>: it runs after the built-in ones).
/// </summary>
public static class IngestionHandlers
{
    /// <summary>Registers the built-in handlers. The order is part of the behaviour: see each list.</summary>
    public static IServiceCollection AddIngestionHandlers(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        // Before the catalog takes a batch's changes.
        services.AddCatalogChangesHandler<CatalogAlertsHandler>();

        // Per subject, after its profile write, in the order ingestion has always run them: the directory,
        // cart abandonment, then browse abandonment (a cart change ends the browse wait), product watchers,
        // the two order workflows, and the cached list last.
        services.AddSubjectChangesHandler<CustomerDirectoryHandler>();
        services.AddSubjectChangesHandler<CartAbandonmentHandler>();
        services.AddSubjectChangesHandler<BrowseAbandonmentHandler>();
        services.AddSubjectChangesHandler<CatalogWatchersHandler>();
        services.AddSubjectChangesHandler<PostPurchaseHandler>();
        services.AddSubjectChangesHandler<ReplenishmentHandler>();
        services.AddSubjectChangesHandler<CachedRecommendationsHandler>();

        // Per batch, after every subject's reactions and the archive: the anonymous aggregates (each event
        // once), then experiments, then attribution (its own ledger).
        services.AddBatchChangesHandler<ItemCountersHandler>();
        services.AddBatchChangesHandler<TrendingHandler>();
        services.AddBatchChangesHandler<BanditHandler>();
        services.AddBatchChangesHandler<PopularityHandler>();
        services.AddBatchChangesHandler<ExperimentOutcomesHandler>();
        services.AddBatchChangesHandler<AttributionHandler>();
        return services;
    }

    /// <summary>Adds a reaction to each subject's changes, after those registered before it.</summary>
    public static IServiceCollection AddSubjectChangesHandler<THandler>(this IServiceCollection services)
        where THandler : class, ISubjectChangesHandler =>
        services.AddSingleton<ISubjectChangesHandler, THandler>();

    /// <summary>Adds a per-batch aggregate, after those registered before it.</summary>
    public static IServiceCollection AddBatchChangesHandler<THandler>(this IServiceCollection services)
        where THandler : class, IBatchChangesHandler =>
        services.AddSingleton<IBatchChangesHandler, THandler>();

    /// <summary>Adds a reaction to catalog changes, after those registered before it.</summary>
    public static IServiceCollection AddCatalogChangesHandler<THandler>(this IServiceCollection services)
        where THandler : class, ICatalogChangesHandler =>
        services.AddSingleton<ICatalogChangesHandler, THandler>();
}
