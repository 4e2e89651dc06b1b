using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Recommender.Domain.Attribution;
using Recommender.Domain.Catalog;
using Recommender.Domain.Events;
using Recommender.Domain.Experiments;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Ingestion.Handlers;
using Recommender.Domain.Messaging;
using Recommender.Domain.Privacy;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Segments;
using Recommender.Domain.Ports.Storage;
using Recommender.Domain.Ports.Telemetry;
using Recommender.Domain.Training;
using Recommender.Domain.Workflows;

namespace Recommender.Domain;

public static class DomainServices
{
    /// <summary>
    /// Registers the domain services; the ports come from an adapter set registered before (wrapped here in
    /// their metering decorators, <see cref="StorageMetering"/>), the HttpClient for webhooks from the host.
    /// </summary>
    public static IServiceCollection AddRecommenderDomain(this IServiceCollection services)
    {
        services.AddStorageMetering();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<EventValidator>();
        // One table of event weights for profiles, every trainer and serving: the same instance everywhere.
        services.AddOptions<EventWeights>().BindConfiguration(EventWeights.Section)
            .Validate(o => o.IsValid, "Recommender:EventWeights is invalid (0 < View ≤ WishlistAdd ≤ AddToCart ≤ Purchase; RepeatPurchase, PositiveReview, Interest ≥ 0; LowRatingMax 1–4)")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<EventWeights>>().Value);
        services.AddSingleton<EventArchive>();
        services.AddSingleton<DeadLetters>();
        services.AddSingleton<CatalogProvider>();
        services.AddOptions<CatalogOptions>().BindConfiguration(CatalogOptions.Section)
            .Validate(o => o.IsValid, "Recommender:Catalog:MaxRemovedShare must be from 0 to 1")
            .ValidateOnStart();
        services.AddSingleton<ModelStore>();
        services.AddSingleton<ProfileStore>();
        services.AddSingleton<TrendingStore>();
        services.AddSingleton<VelocityTracker>();
        services.AddSingleton<AggregateEventClaims>();
        services.AddSingleton<Retention.RetentionService>();
        services.AddOptions<Retention.RetentionOptions>().BindConfiguration(Retention.RetentionOptions.Section)
            .Validate(o => o.IsValid, "Recommender:Retention is invalid (every period > 0, ExperimentExposures from 1 to 365 days)")
            .ValidateOnStart();
        services.AddSingleton<RecommendationService>();
        services.AddOptions<ServingOptions>().BindConfiguration(ServingOptions.Section)
            .Validate(o => o.PlacementAlgorithmsAreKnown([JaccardItemTrainer.Name, .. AlgorithmTrainer.Candidates]),
                $"Recommender:Serving:PlacementAlgorithms maps placement names ({string.Join(", ", Placements.ByName.Keys)}) to training candidates ({JaccardItemTrainer.Name}, {string.Join(", ", AlgorithmTrainer.Candidates)})")
            .Validate(o => o.SeenPoliciesAreValid, $"Recommender:Serving:Seen maps placement names ({string.Join(", ", Placements.ByName.Keys)}) to policies with 0 ≤ ViewedExcludedFor, ViewedDecay ≤ 3650 days and 0 ≤ ViewedReturnWeight ≤ 1")
            .Validate(o => o.Promotions.All(p => p.IsValid), "Recommender:Serving:Promotions is invalid (MinimumPropensity and MaximumPropensity are probabilities, the minimum below the maximum)")
            .Validate(o => o.UserScoring.IsValid, "Recommender:Serving:UserScoring is invalid (HistoryHalfLife > 0, MaxModelItems ≥ 1, RowWidth ≥ 1, 0 ≤ ProfileWeight ≤ 1, 0 ≤ NewItemWeight ≤ 1)")
            .ValidateOnStart();
        services.AddOptions<BanditOptions>().BindConfiguration(BanditOptions.Section)
            .Validate(o => o.IsValid, BanditOptions.ValidationMessage)
            .ValidateOnStart();
        services.AddSingleton<BanditPolicy>();
        services.AddSingleton<SearchReranker>();
        services.AddSingleton<WorkflowServices>();
        services.AddSingleton<MessageSources>();
        services.AddSingleton<CartAbandonmentWorkflow>();
        services.AddSingleton<BrowseAbandonmentWorkflow>();
        services.AddSingleton<ProductWatchers>();
        services.AddSingleton<CatalogAlertsWorkflow>();
        services.AddOptions<CatalogAlertOptions>().BindConfiguration(CatalogAlertOptions.Section)
            .Validate(o => o.IsValid, "Recommender:CatalogAlerts is invalid (0 < PriceDropThreshold < 1, 0 < ViewWindow ≤ 180 days, TopCategories ≥ 1)")
            .ValidateOnStart();
        services.AddSingleton<PostPurchaseWorkflow>();
        services.AddSingleton<ReplenishmentWorkflow>();
        services.AddOptions<ReplenishmentOptions>().BindConfiguration(ReplenishmentOptions.Section)
            .Validate(o => o.IsValid, "Recommender:Replenishment is invalid (LeadTime from 0 to 30 days, GroupWindow from 0 to 7 days)")
            .ValidateOnStart();
        services.AddSingleton<MessageOutbox>();
        services.AddSingleton<SuppressionList>();
        services.AddSingleton<SendRules>();
        services.AddSingleton<SendLedger>();
        services.AddSingleton<DeliveryService>();
        services.AddSingleton<WorkflowStats>();
        services.AddOptions<MessagingOptions>().BindConfiguration(MessagingOptions.Section)
            .Validate(o => o.IsValid, "Recommender:Messaging is invalid (caps ≥ 0, window up to 90 days, quiet hours within a day, MaxAttempts ≥ 1, 0 < BackoffBase ≤ BackoffCap, SegmentCaps keyed by segment names with caps ≥ 0)")
            .ValidateOnStart();
        services.AddSingleton<ExperimentStore>();
        services.AddSingleton<ExperimentAssigner>();
        services.AddSingleton<ExperimentRecorder>();
        services.AddSingleton<VisitorMerger>();
        services.AddIngestionHandlers();
        services.AddSingleton<IngestionService>();
        services.AddSingleton<ErasureService>();
        services.AddSingleton<ProfilingObjection>();
        services.AddSingleton<ProfileRectification>();
        services.AddSingleton<DataExport>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<AdAudiences>();
        services.AddOptions<PrivacyOptions>().BindConfiguration(PrivacyOptions.Section)
            .Validate(o => o.IsValid, "Recommender:Privacy is invalid (TombstoneKey of 32+ characters, EventHubsRetention and TombstoneMargin ≥ 0, a tombstone period of 1 to 3650 days)")
            .ValidateOnStart();
        services.AddSingleton<ErasureTombstones>();
        services.AddSingleton<TimerSeal>();
        services.AddSingleton<ArchiveGate>();
        services.AddSingleton<PermittedTrainingData>();
        services.AddSingleton<RetrainingService>();
        services.AddSingleton<TrainingWorkflow>();
        // The gate's per-customer scoring seam: the served user scoring, so the gate judges what is served.
        services.TryAddSingleton<IHoldoutScorer, ServedHistoryScorer>();
        services.AddSingleton<IModelTrainer>(sp => new JaccardItemTrainer(sp.GetRequiredService<EventWeights>()));
        foreach (var algorithm in AlgorithmTrainer.Candidates)
        {
            services.AddSingleton<IModelTrainer>(sp => new AlgorithmTrainer(algorithm, sp.GetRequiredService<IOptions<ServingOptions>>().Value.UserScoring, sp.GetRequiredService<EventWeights>()));
        }

        // The LightGBM LambdaRank re-ranker over a base candidate ("ease+ltr"), trained and gated like any candidate.
        services.AddOptions<ReRankOptions>().BindConfiguration(ReRankOptions.Section)
            .Validate(o => !o.Enabled || (AlgorithmTrainer.Candidates.Contains(o.Base) && o.Candidates > 0 && o.Trees > 0 && o.Leaves > 1),
                $"Recommender:Training:ReRank needs Base among ({string.Join(", ", AlgorithmTrainer.Candidates)}), Candidates > 0, Trees > 0 and Leaves > 1")
            .ValidateOnStart();
        services.AddSingleton<IModelTrainer>(sp =>
        {
            var reRank = sp.GetRequiredService<IOptions<ReRankOptions>>().Value;
            var scoring = sp.GetRequiredService<IOptions<ServingOptions>>().Value.UserScoring;
            return new ReRankingTrainer(new AlgorithmTrainer(reRank.Base, scoring, sp.GetRequiredService<EventWeights>()), reRank, scoring, sp.GetRequiredService<CatalogProvider>().GetAsync,
                sp.GetService<LambdaRankFit>(), sp.GetRequiredService<IOptions<TrainingOptions>>().Value.Holdout);
        });
        services.AddValidatedOptions<TrainingOptions, TrainingOptionsValidator>(TrainingOptions.Section);
        services.AddPurchasePropensity();
        services.AddSegmentation();
        services.AddAttribution();
        // The handler of each work queue (Ports/Storage/queues.json), from which the queue dispatcher is built.
        services.AddQueueHandlers();
        return services;
    }
}
