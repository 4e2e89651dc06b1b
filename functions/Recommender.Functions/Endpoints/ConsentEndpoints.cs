using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
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

/// <summary>The audit log's query parameters: instants as ISO 8601 strings, so each malformed one is answered by one 400 naming it.</summary>
public sealed record AuditQuery(
    [property: FromQuery(Name = "from"), Description("First instant (ISO 8601, e.g. 2026-12-01T00:00:00Z); default 7 days before to.")] string? From,
    [property: FromQuery(Name = "to"), Description("End instant, exclusive (ISO 8601); default now. At most 366 days after from.")] string? To,
    [property: FromQuery(Name = "customerId"), Description("Only this customer's entries.")] string? CustomerId) : IValidatedRequest
{
    /// <summary><see cref="From"/> parsed (valid once <see cref="Validate"/> found no error).</summary>
    public DateTimeOffset? FromInstant { get; private set; }

    /// <summary><see cref="To"/> parsed.</summary>
    public DateTimeOffset? ToInstant { get; private set; }

    public Dictionary<string, string[]>? Validate()
    {
        Dictionary<string, string[]>? errors = null;
        FromInstant = Instant(ref errors, "from", From);
        ToInstant = Instant(ref errors, "to", To);
        if (CustomerId is { Length: > 0 } customerId && !EventValidator.IsValidId(customerId))
        {
            (errors ??= [])["customerId"] = [$"customerId must be {PrivacyIds.Rule}"];
        }

        return errors;
    }

    private static DateTimeOffset? Instant(ref Dictionary<string, string[]>? errors, string field, string? text)
    {
        if (text is not { Length: > 0 })
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var instant))
        {
            return instant;
        }

        (errors ??= [])[field] = [$"{field} must be an instant (ISO 8601, e.g. 2026-12-01T00:00:00Z)"];
        return null;
    }
}

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
        var rights = app.MapGroup(ApiRoutes.Privacy).WithTags(ApiRoutes.ConsentTag);
        rights.MapPost("/consents/{customerId}", RecordAsync).WithName("api-consent-record").WithSummary("Record a consent decision");
        rights.MapGet("/consents/{customerId}", GetAsync).WithName("api-consent-get").WithSummary("The current consent per channel and its history");
        rights.MapGet("/export/{customerId}", ExportAsync).WithName("api-export").WithSummary("Right of access: everything held about the customer");
        rights.MapPut("/objection/{customerId}", ObjectAsync).WithName("api-objection").WithSummary("Object to profiling, or withdraw the objection");
        rights.MapGet("/ad-audiences", async (AdAudiences audiences, AuditLog audit, HttpContext context, CancellationToken ct) =>
        {
            var export = await audiences.ExportAsync(ct).ConfigureAwait(false);
            await audit.RecordAsync(OperatorAuth.ActorOf(context.User), "ad_audiences.export", "*", $"{export.Customers} customers", cancellationToken: ct).ConfigureAwait(false);
            return TypedResults.Ok(export);
        }).WithName("api-ad-audiences").WithSummary("The hashed ad audiences of the customers who consented");
        rights.MapGet("/ad-audiences/{segment}", SegmentAudienceAsync).WithName("api-ad-audiences-segment")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("One segment's hashed ad audience (latest segmentation run)");
        var auditLog = app.MapGroup(ApiRoutes.Privacy).WithTags(ApiRoutes.AuditTag);
        auditLog.MapGet("/audit", ReadAuditAsync).WithName("api-audit").Validated<AuditQuery>().WithSummary("The audit log between two instants");
        // Walks the audit log's hash chain: 200 with the report either way (intact or the first broken link).
        auditLog.MapGet("/audit/verify", async (AuditLog audit, CancellationToken ct) =>
            TypedResults.Ok(await audit.VerifyAsync(ct).ConfigureAwait(false))).WithName("api-audit-verify").WithSummary("Verify the audit log's hash chain");
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

    /// <summary>
    /// The audit log between two instants (default: the last 7 days), optionally for one customer. Each value of
    /// <paramref name="query"/> has been checked by the route's endpoint filter; their order and span are checked here.
    /// </summary>
    private static async Task<Results<Ok<List<AuditEntry>>, ValidationProblem>> ReadAuditAsync([AsParameters] AuditQuery query,
        AuditLog audit, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var end = query.ToInstant ?? timeProvider.GetUtcNow().AddSeconds(1);
        var start = query.FromInstant ?? end.AddDays(-7);
        var customerId = query.CustomerId is { Length: > 0 } id ? id : null;
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
