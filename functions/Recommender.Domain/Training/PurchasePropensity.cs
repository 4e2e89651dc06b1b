using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Recommender.Domain.Events;
using Recommender.Domain.Profiles;
using Recommender.Models;
using Recommender.Models.Propensity;

namespace Recommender.Domain.Training;

/// <summary>Configuration section <c>Recommender:Propensity</c>: the purchase-propensity step of the training workflow.</summary>
public sealed class PropensityTrainingOptions
{
    public const string Section = "Recommender:Propensity";

    /// <value>Whether training runs train the model and score customers. Default true.</value>
    public bool Enabled { get; set; } = true;
    /// <value>The prediction window N: a score is the probability of a purchase within N days after the run. Default 14 days.</value>
    public TimeSpan Window { get; set; } = TimeSpan.FromDays(14);
    /// <value>A model whose AUC on the next window is below this is no better than a guess: no customer is scored (and earlier scores are removed). Default 0.6, as the churn model's.</value>
    public double MinimumAuc { get; set; } = 0.6;

    public bool IsValid => Window >= TimeSpan.FromDays(1) && Window <= TimeSpan.FromDays(365) && MinimumAuc is >= 0 and <= 1;
}

/// <summary>
/// The purchase-propensity step of one training run, as recorded in the run and the model manifest:
/// the model learned from data up to <see cref="DataUpTo"/> (T: features before T − N, purchases in
/// [T − N, T)) and was evaluated on the purchases of the next window, [T, <see cref="EvaluatedUntil"/>)
/// = [T, T + N), from features before T; scores refer to <see cref="ScoredAt"/> (the run).
/// </summary>
/// <param name="Auc">Area under the ROC curve on the next window (0.5 is chance); null when no model could be trained.</param>
/// <param name="Used">The scores were written (the AUC cleared <see cref="PropensityTrainingOptions.MinimumAuc"/>).</param>
/// <param name="Scored">Customers whose profile now holds this run's score.</param>
/// <param name="Removed">Customers whose earlier score was removed (they may not be profiled now, or no score is usable).</param>
/// <param name="Note">Why no model or no scores, when so.</param>
public sealed record PropensityRecord(
    double? Auc,
    double? AreaUnderPrecisionRecallCurve,
    double? LogLoss,
    DateTimeOffset? DataUpTo,
    DateTimeOffset? EvaluatedUntil,
    DateTimeOffset ScoredAt,
    double WindowDays,
    int TrainingCustomers,
    int TrainingBuyers,
    int EvaluationCustomers,
    int EvaluationBuyers,
    bool Used,
    long Scored,
    long Removed,
    string? Note);

/// <summary>
/// Purchase propensity in production: each training run fits <see cref="PropensityModel"/> (LightGBM,
/// seeded, single-threaded) on the archive as every trainer reads it (<see cref="PermittedTrainingData"/>:
/// only subjects who may be profiled now), measures its AUC on the window after the data it learned
/// from, and stores each customer's score — the probability of a purchase in the next
/// <see cref="PropensityTrainingOptions.Window"/> — in their profile (<see cref="CustomerProfile.PurchasePropensity"/>,
/// with when it was computed), shard by shard over the customer directory. Only customers who may be
/// profiled now (re-checked inside each profile's guarded write) get one; any other customer's
/// earlier score is removed. Features are the customer's interactions (views, wishlist and cart adds,
/// purchases) weighted by the store's <see cref="EventWeights"/>; anonymous visitors are not scored.
/// </summary>
public sealed partial class PurchasePropensity(ProfileStore profiles, EventWeights weights, IOptions<PropensityTrainingOptions> options,
    TimeProvider timeProvider, ILogger<PurchasePropensity> logger)
{
    /// <summary>Trains on <paramref name="events"/> (already filtered for consent), scores the customers who may be profiled, records the step.</summary>
    public async Task<PropensityRecord?> TrainAndScoreAsync(IReadOnlyList<ClickstreamEvent> events, string runId, CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return null;
        }

        var now = timeProvider.GetUtcNow();
        var (model, record) = Fit(events, now, weights, settings);
        var known = model is not null && record.Used ? model.Users.ToHashSet(StringComparer.Ordinal) : [];
        long scored = 0, removed = 0;
        foreach (var shard in ProfileStore.AllShards)
        {
            await foreach (var customerId in profiles.CustomersInShardAsync(shard, cancellationToken).ConfigureAwait(false))
            {
                var score = known.Contains(customerId) ? new PropensityScore(Math.Round(model!.Score(customerId), 4), now, settings.Window.TotalDays, runId) : null;
                var (wrote, had) = (false, false);
                await profiles.UpdateAsync(customerId, profile =>
                {
                    if (profile is null)
                    {
                        return null;
                    }

                    // Consent is read again inside the guarded write: a withdrawal since the archive was read wins.
                    var next = profile.MayBeProfiled(timeProvider.GetUtcNow()) ? score : null;
                    (wrote, had) = (next is not null, profile.PurchasePropensity is not null);
                    if (Equals(profile.PurchasePropensity, next))
                    {
                        return null;
                    }

                    profile.PurchasePropensity = next;
                    return profile;
                }, cancellationToken).ConfigureAwait(false);
                scored += wrote ? 1 : 0;
                removed += !wrote && had ? 1 : 0;
            }
        }

        LogScored(logger, runId, record.Auc, scored, removed, record.Note);
        return record with { Scored = scored, Removed = removed };
    }

    /// <summary>
    /// The model and its record from archived <paramref name="events"/>, scoring as of <paramref name="now"/>
    /// (also what <c>bench propensity</c> measures). No model when a window lacks buyers or non-buyers.
    /// </summary>
    public static (PropensityModel? Model, PropensityRecord Record) Fit(IEnumerable<ClickstreamEvent> events, DateTimeOffset now, EventWeights weights,
        PropensityTrainingOptions settings)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(settings);
        var (interactions, purchases) = InteractionsOf(events, now, weights);
        var days = settings.Window.TotalDays;
        try
        {
            var (model, e) = PropensityModel.Train(interactions, new PropensityOptions { Window = settings.Window, Cutoff = now, IsPurchase = purchases.Contains });
            var used = e.Auc >= settings.MinimumAuc;
            var note = used ? null : $"AUC {e.Auc:0.###} on the next window is below {settings.MinimumAuc}: no scores";
            return (model, new PropensityRecord(Math.Round(e.Auc, 4), Math.Round(e.AreaUnderPrecisionRecallCurve, 4), Math.Round(e.LogLoss, 4), e.EvaluationCutoff, now, now, days,
                e.TrainingExamples, e.TrainingPositives, e.EvaluationExamples, e.EvaluationPositives, used, 0, 0, note));
        }
        catch (InvalidOperationException ex)
        {
            return (null, new PropensityRecord(null, null, null, null, null, now, days, 0, 0, 0, 0, false, 0, 0, ex.Message));
        }
    }

    /// <summary>Customers' interactions before <paramref name="now"/>, weighted by the table, and which of them are purchases.</summary>
    private static (List<Interaction> Interactions, HashSet<Interaction> Purchases) InteractionsOf(IEnumerable<ClickstreamEvent> events, DateTimeOffset now, EventWeights weights)
    {
        var interactions = new List<Interaction>();
        var purchases = new HashSet<Interaction>();
        foreach (var e in events)
        {
            if (e.IsPseudonymized || e.CustomerId is not { } customerId || !ItemSimilarityTrainer.IsInteraction(e.Type) || e.OccurredAt >= now)
            {
                continue;
            }

            foreach (var productId in e.AllProductIds)
            {
                var interaction = new Interaction(customerId, productId, e.OccurredAt, weights.WeightOf(e));
                interactions.Add(interaction);
                if (e.Type == EventType.Purchase)
                {
                    purchases.Add(interaction);
                }
            }
        }

        return (interactions, purchases);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Training run {RunId}: purchase propensity AUC {Auc} on the next window, {Scored} customers scored, {Removed} scores removed ({Note})")]
    private static partial void LogScored(ILogger logger, string runId, double? auc, long scored, long removed, string? note);
}

/// <summary>Registration of the purchase-propensity step and its options (validated at start).</summary>
public static class PropensityServices
{
    public static IServiceCollection AddPurchasePropensity(this IServiceCollection services)
    {
        services.AddSingleton<PurchasePropensity>();
        services.AddOptions<PropensityTrainingOptions>().BindConfiguration(PropensityTrainingOptions.Section)
            .Validate(o => o.IsValid, "Recommender:Propensity is invalid (Window from 1 to 365 days, MinimumAuc from 0 to 1)")
            .ValidateOnStart();
        return services;
    }
}
