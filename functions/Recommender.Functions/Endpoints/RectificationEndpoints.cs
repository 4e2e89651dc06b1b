using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Recommender.Domain.Events;
using Recommender.Domain.Privacy;
using Recommender.Functions.Security;

namespace Recommender.Functions.Endpoints;

/// <summary>
/// The body of a rectification (for the OpenAPI document; the handler reads the JSON itself to tell
/// a field left out — unchanged — from one set to <c>null</c> — removed).
/// </summary>
/// <param name="Email">The corrected email address (only its SHA-256 is kept).</param>
/// <param name="Phone">The corrected phone number, E.164 (only its SHA-256 is kept).</param>
/// <param name="BirthYear">1900 to this year; one that makes the customer possibly under 16 stops profiling.</param>
/// <param name="AgeVerifiedAdult">Whether the customer's adulthood was verified (age-restricted products).</param>
/// <param name="TimeZone">An IANA time zone name (quiet hours of messages).</param>
/// <param name="PreferredCategories">The categories the customer says they like (at most 20, each 1–64 characters), replacing
/// those held; home and email lists use them when personalization is allowed (a customer with no history gets those categories).</param>
/// <param name="PreferredBrands">The brands the customer says they like, as <paramref name="PreferredCategories"/>.</param>
public sealed record RectificationCommand(string? Email, string? Phone, int? BirthYear, bool? AgeVerifiedAdult, string? TimeZone,
    IReadOnlyList<string>? PreferredCategories = null, IReadOnlyList<string>? PreferredBrands = null);

/// <summary>What a rectification changed, and the customer-given fields as they now are (contacts as their hashes).</summary>
public sealed record RectificationView(string CustomerId, IReadOnlyList<string> Rectified, string? RecordId, int? BirthYear, bool? AgeVerifiedAdult,
    string? TimeZone, string? EmailSha256, string? PhoneSha256, bool Personalized, IReadOnlyList<string> PreferredCategories, IReadOnlyList<string> PreferredBrands);

/// <summary>
/// The right to rectification for the privacy team: <c>PATCH /api/privacy/rectification/{customerId}</c>
/// (in Azure a function with <c>authLevel: function</c>; the privacy role is required like every
/// privacy route, and storefront keys are refused).
/// </summary>
public static class RectificationEndpoints
{
    private const int MaxBodyBytes = 4 * 1024;

    public static IEndpointRouteBuilder MapRectificationApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup(ApiRoutes.Privacy).WithTags(ApiRoutes.ConsentTag)
            .MapPatch("/rectification/{customerId}", RectifyAsync).WithName("api-rectification")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .Accepts<RectificationCommand>("application/json")
            .WithSummary("Rectify the profile fields the customer gave")
            .WithDescription("Corrects email, phone, birthYear, ageVerifiedAdult, timeZone, preferredCategories or preferredBrands; a field set to null is removed, one left out is unchanged. Computed features are not rectifiable (400 names them).");
        return app;
    }

    private static async Task<Results<Ok<RectificationView>, NotFound, ValidationProblem, ProblemHttpResult>> RectifyAsync(
        string customerId, HttpContext context, ProfileRectification rectification, AuditLog audit, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        if (!EventValidator.IsValidId(customerId))
        {
            return PrivacyIds.Invalid("customerId");
        }

        var (body, tooLarge) = await RequestBody.ReadAsync(context.Request, MaxBodyBytes, cancellationToken).ConfigureAwait(false);
        if (tooLarge)
        {
            return TypedResults.Problem($"the body is larger than {MaxBodyBytes} bytes", statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        JsonElement changes;
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(body) ? "null" : body);
            changes = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["is not valid JSON"] });
        }

        var result = await rectification.RectifyAsync(customerId, changes, cancellationToken).ConfigureAwait(false);
        if (result is null)
        {
            return TypedResults.NotFound();
        }

        var actor = OperatorAuth.ActorOf(context.User);
        if (result.IsRefused)
        {
            // Which fields, never their values.
            await audit.RecordAsync(actor, "rectification", customerId, $"refused: {string.Join(", ", result.Errors.Keys)}", cancellationToken: cancellationToken).ConfigureAwait(false);
            return TypedResults.ValidationProblem(result.Errors);
        }

        var outcome = result.Rectified.Count > 0 ? $"applied: {string.Join(", ", result.Rectified)}" : "unchanged: the profile already held these values";
        await audit.RecordAsync(actor, "rectification", customerId, outcome, result.RecordId, cancellationToken).ConfigureAwait(false);
        var profile = result.Profile!;
        return TypedResults.Ok(new RectificationView(customerId, result.Rectified, result.RecordId, profile.BirthYear, profile.AgeVerifiedAdult, profile.TimeZone,
            profile.EmailSha256, profile.PhoneSha256, profile.PersonalizationAllowed(timeProvider.GetUtcNow()), profile.StatedCategories, profile.StatedBrands));
    }
}
