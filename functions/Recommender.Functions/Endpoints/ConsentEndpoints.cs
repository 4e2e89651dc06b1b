using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Recommender.Domain;
using Recommender.Domain.Events;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Privacy;
using Recommender.Domain.Profiles;
using Recommender.Functions.Security;

namespace Recommender.Functions.Endpoints;

/// <summary>A consent decision recorded through the API (the same record a <c>consent</c> event makes).</summary>
public sealed record ConsentCommand(string? Channel, bool? Granted, string? PolicyVersion, string? Source);

/// <summary>An objection to profiling, or its withdrawal.</summary>
public sealed record ObjectionCommand(bool? Objects);

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
        app.MapGet("/api/privacy/export/{customerId}", ExportAsync).WithName("api-export");
        app.MapPut("/api/privacy/objection/{customerId}", ObjectAsync).WithName("api-objection");
        app.MapGet("/api/privacy/audit", ReadAuditAsync).WithName("api-audit");
        // Walks the audit log's hash chain: 200 with the report either way (intact or the first broken link).
        app.MapGet("/api/privacy/audit/verify", async (AuditLog audit, CancellationToken ct) =>
            TypedResults.Ok(await audit.VerifyAsync(ct).ConfigureAwait(false))).WithName("api-audit-verify");
        app.MapGet("/api/privacy/ad-audiences", async (AdAudiences audiences, AuditLog audit, HttpContext context, CancellationToken ct) =>
        {
            var export = await audiences.ExportAsync(ct).ConfigureAwait(false);
            await audit.RecordAsync(OperatorAuth.ActorOf(context.User), "ad_audiences.export", "*", $"{export.Customers} customers", cancellationToken: ct).ConfigureAwait(false);
            return TypedResults.Ok(export);
        }).WithName("api-ad-audiences");
        app.MapGet("/api/privacy/ad-audiences/{segment}", SegmentAudienceAsync).WithName("api-ad-audiences-segment");
        return app;
    }

    /// <summary>The hashed audience of one segment (latest segmentation run): 400 for a name that is no segment, 404 before any run.</summary>
    private static async Task<Results<Ok<AdAudienceExport>, ProblemHttpResult>> SegmentAudienceAsync(string segment, AdAudiences audiences, AuditLog audit,
        HttpContext context, CancellationToken cancellationToken)
    {
        if (!Domain.Segments.SegmentNames.IsValid(segment))
        {
            return TypedResults.Problem("segment must be vip, active, at-risk, dormant, new, price-sensitive, category-enthusiast:{category} or brand-loyalist:{brand}",
                statusCode: 400);
        }

        if (await audiences.ExportSegmentAsync(segment, cancellationToken).ConfigureAwait(false) is not { } export)
        {
            return TypedResults.Problem("no segmentation run has completed yet", statusCode: 404);
        }

        await audit.RecordAsync(OperatorAuth.ActorOf(context.User), "ad_audiences.export", "*", $"segment {segment}: {export.Customers} customers", cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        return TypedResults.Ok(export);
    }

    private static async Task<Results<Accepted<EventOutcome>, ValidationProblem>> RecordAsync(string customerId, ConsentCommand? command,
        IngestionService ingestion, AuditLog audit, TimeProvider timeProvider, HttpContext context, CancellationToken cancellationToken)
    {
        if (!EventValidator.IsValidId(customerId))
        {
            return PrivacyIds.Invalid("customerId");
        }

        var now = timeProvider.GetUtcNow();
        var actor = OperatorAuth.ActorOf(context.User);
        var body = JsonSerializer.Serialize(new
        {
            id = $"consent-{Guid.CreateVersion7(now):N}",
            type = "consent",
            customerId,
            channel = command?.Channel,
            granted = command?.Granted,
            policyVersion = command?.PolicyVersion,
            source = command?.Source,
            relayedBy = actor,
            occurredAt = now,
        }, Json.Options);
        var result = await ingestion.IngestAsync([body], "privacy-api", cancellationToken).ConfigureAwait(false);
        var outcome = result.Outcomes[0];
        if (!outcome.Accepted)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["consent"] = [outcome.Error ?? "invalid consent"] });
        }

        await audit.RecordAsync(actor, $"consent.{command!.Channel}.{(command.Granted == true ? "granted" : "withdrawn")}", customerId, "recorded", outcome.EventId, cancellationToken).ConfigureAwait(false);
        return TypedResults.Accepted($"/api/privacy/consents/{customerId}", outcome);
    }

    /// <summary>Right of access: everything held about the customer as one JSON document.</summary>
    private static async Task<Results<Ok<CustomerDataExport>, NotFound, ValidationProblem>> ExportAsync(string customerId, DataExport export, AuditLog audit, HttpContext context, CancellationToken cancellationToken)
    {
        if (!EventValidator.IsValidId(customerId))
        {
            return PrivacyIds.Invalid("customerId");
        }

        if (await export.ExportAsync(customerId, cancellationToken).ConfigureAwait(false) is not { } data)
        {
            return TypedResults.NotFound();
        }

        await audit.RecordAsync(OperatorAuth.ActorOf(context.User), "access.export", customerId, $"exported {data.Events.Count} events", cancellationToken: cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(data);
    }

    /// <summary>The audit log between two instants (default: the last 7 days), optionally for one customer.</summary>
    private static async Task<Results<Ok<List<AuditEntry>>, ValidationProblem>> ReadAuditAsync(DateTimeOffset? from, DateTimeOffset? to, string? customerId,
        AuditLog audit, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var end = to ?? timeProvider.GetUtcNow().AddSeconds(1);
        var start = from ?? end.AddDays(-7);
        if (customerId is not null && !EventValidator.IsValidId(customerId))
        {
            return PrivacyIds.Invalid("customerId");
        }

        if (end <= start || end - start > TimeSpan.FromDays(366))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["from"] = ["from must be before to, at most 366 days apart"] });
        }

        var entries = new List<AuditEntry>();
        await foreach (var entry in audit.ReadAsync(start, end, customerId, cancellationToken).ConfigureAwait(false))
        {
            entries.Add(entry);
        }

        return TypedResults.Ok(entries);
    }

    /// <summary>Right to object to profiling: <c>{"objects": true}</c> stops personalization at once; <c>false</c> withdraws the objection.</summary>
    private static async Task<Results<NoContent, NotFound, ValidationProblem>> ObjectAsync(string customerId, ObjectionCommand? command,
        ProfilingObjection objection, AuditLog audit, HttpContext context, CancellationToken cancellationToken)
    {
        if (!EventValidator.IsValidId(customerId))
        {
            return PrivacyIds.Invalid("customerId");
        }

        if (command?.Objects is not { } objects)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["objects"] = ["objects (true or false) is required"] });
        }

        if (!await objection.SetAsync(customerId, objects, cancellationToken).ConfigureAwait(false))
        {
            return TypedResults.NotFound();
        }

        await audit.RecordAsync(OperatorAuth.ActorOf(context.User), objects ? "objection.recorded" : "objection.withdrawn", customerId, "applied", cancellationToken: cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<ConsentView>, NotFound, ValidationProblem>> GetAsync(string customerId, ProfileStore profiles, CancellationToken cancellationToken)
    {
        if (!EventValidator.IsValidId(customerId))
        {
            return PrivacyIds.Invalid("customerId");
        }

        if (await profiles.GetAsync(customerId, cancellationToken).ConfigureAwait(false) is not { } profile)
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Ok(new ConsentView(customerId, profile.Consents, profile.ConsentHistory));
    }
}
