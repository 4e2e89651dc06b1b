using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Recommender.Domain;
using Recommender.Domain.Events;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Profiles;

namespace Recommender.Functions.Endpoints;

/// <summary>A consent decision recorded through the API (the same record a <c>consent</c> event makes).</summary>
public sealed record ConsentCommand(string? Channel, bool? Granted, string? PolicyVersion, string? Source);

/// <summary>A customer's current consent per channel and the full history kept as proof.</summary>
public sealed record ConsentView(string CustomerId, IReadOnlyDictionary<string, ConsentRecord> Current, IReadOnlyList<ConsentHistoryEntry> History);

/// <summary>
/// Consent records for the privacy team and preference centres: <c>POST /api/privacy/consents/{customerId}</c>
/// records a decision through the ingestion path (validated like a <c>consent</c> event, archived as a
/// record, effective at once — a withdrawal drops cached lists); <c>GET</c> returns the current
/// decision per channel and the whole history. In Azure both are functions with <c>authLevel: function</c>.
/// </summary>
public static class ConsentEndpoints
{
    public static IEndpointRouteBuilder MapConsentApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/privacy/consents/{customerId}", RecordAsync).WithName("api-consent-record");
        app.MapGet("/api/privacy/consents/{customerId}", GetAsync).WithName("api-consent-get");
        return app;
    }

    private static async Task<Results<Accepted<EventOutcome>, ValidationProblem>> RecordAsync(string customerId, ConsentCommand? command,
        IngestionService ingestion, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var body = JsonSerializer.Serialize(new
        {
            id = $"consent-{Guid.CreateVersion7(now):N}",
            type = "consent",
            customerId,
            channel = command?.Channel,
            granted = command?.Granted,
            policyVersion = command?.PolicyVersion,
            source = command?.Source,
            occurredAt = now,
        }, Json.Options);
        var result = await ingestion.IngestAsync([body], "privacy-api", cancellationToken).ConfigureAwait(false);
        var outcome = result.Outcomes[0];
        if (!outcome.Accepted)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["consent"] = [outcome.Error ?? "invalid consent"] });
        }

        return TypedResults.Accepted($"/api/privacy/consents/{customerId}", outcome);
    }

    private static async Task<Results<Ok<ConsentView>, NotFound>> GetAsync(string customerId, ProfileStore profiles, CancellationToken cancellationToken)
    {
        if (!EventValidator.IsValidId(customerId) || await profiles.GetAsync(customerId, cancellationToken).ConfigureAwait(false) is not { } profile)
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Ok(new ConsentView(customerId, profile.Consents, profile.ConsentHistory));
    }
}
