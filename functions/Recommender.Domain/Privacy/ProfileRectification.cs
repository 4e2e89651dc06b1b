using System.Text.Json;
using System.Text.Json.Nodes;
using Recommender.Domain.Events;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Profiles;

namespace Recommender.Domain.Privacy;

/// <summary>What a rectification did: the fields changed and the profile after, or why it was refused (<see cref="Errors"/>, per field).</summary>
public sealed record RectificationResult(IReadOnlyList<string> Rectified, CustomerProfile? Profile, string? RecordId, IReadOnlyDictionary<string, string[]> Errors)
{
    public bool IsRefused => Errors.Count > 0;

    public static RectificationResult Refused(string field, string why) => new([], null, null, new Dictionary<string, string[]> { [field] = [why] });
}

/// <summary>
/// The right to rectification: corrects what the customer told us — email, phone, birth year, adult
/// verification, time zone, the categories and brands they said they like, the fields of an <c>account</c>
/// record (the profile holds no name) — and nothing computed. New values go through ingestion as an <c>account</c> record, so they are
/// validated (email shape, E.164 phone, birth year 1900–this year, IANA zone), hashed at the door
/// (only SHA-256 of the email and phone is kept, which is what ad audiences export), archived as proof
/// for 7 years, and have the effects any account record has: a birth year that makes the customer
/// possibly under 16 stops profiling at once — behaviour features, the cached list and the
/// abandonment reminders go, and only non-personalized lists are served. A field set to <c>null</c>
/// is removed from the profile (a value that was wrong and has no replacement). A refused value is
/// answered with the reason and kept nowhere (validated before ingestion, so never dead-lettered).
/// </summary>
public sealed class ProfileRectification(ProfileStore profiles, EventValidator validator, IngestionService ingestion, TimeProvider timeProvider)
{
    /// <summary>The customer-given fields, named as in an <c>account</c> event.</summary>
    public static readonly IReadOnlyList<string> Fields = ["email", "phone", "birthYear", "ageVerifiedAdult", "timeZone", "preferredCategories", "preferredBrands"];

    /// <summary>The stated preferences: lists, replaced whole; null states none.</summary>
    private static readonly string[] StatedLists = ["preferredCategories", "preferredBrands"];

    /// <summary>Corrects the fields of <paramref name="changes"/> (a JSON object); null when the customer is unknown.</summary>
    public async Task<RectificationResult?> RectifyAsync(string customerId, JsonElement changes, CancellationToken cancellationToken = default)
    {
        if (changes.ValueKind != JsonValueKind.Object || !changes.EnumerateObject().Any())
        {
            return RectificationResult.Refused("body", $"a JSON object with at least one of: {string.Join(", ", Fields)}");
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var property in changes.EnumerateObject())
        {
            if (WhyNotRectifiable(property.Name) is { } why)
            {
                errors[property.Name] = [why];
            }
        }

        if (errors.Count > 0)
        {
            return new RectificationResult([], null, null, errors);
        }

        if (await profiles.GetAsync(customerId, cancellationToken).ConfigureAwait(false) is not { MergedInto: null } before)
        {
            return null;
        }

        var held = Snapshot(before);

        // A stated list set to null is stated empty, through ingestion like any value: the cached list follows at once.
        var values = changes.EnumerateObject().Where(p => p.Value.ValueKind != JsonValueKind.Null || StatedLists.Contains(p.Name)).ToList();
        string? recordId = null;
        if (values.Count > 0)
        {
            var now = timeProvider.GetUtcNow();
            recordId = $"rectification-{Guid.CreateVersion7(now):N}";
            var record = new JsonObject
            {
                ["id"] = recordId,
                ["type"] = "account",
                ["customerId"] = customerId,
                ["occurredAt"] = now,
            };
            foreach (var value in values)
            {
                record[value.Name] = value.Value.ValueKind == JsonValueKind.Null ? new JsonArray() : JsonNode.Parse(value.Value.GetRawText());
            }

            var body = record.ToJsonString();
            if (validator.Validate(body).Error is { } error)
            {
                return RectificationResult.Refused(Fields.FirstOrDefault(f => error.StartsWith(f, StringComparison.Ordinal)) ?? "body", error);
            }

            // Events are checked for the shape of a zone name; a correction must name a zone that exists.
            if (record["timeZone"]?.GetValue<string>() is { } zone && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
            {
                return RectificationResult.Refused("timeZone", $"timeZone must be a known IANA time zone name such as Europe/Paris; '{zone}' is not one");
            }

            var outcome = (await ingestion.IngestAsync([body], IngestionService.PrivacyApiSource, cancellationToken).ConfigureAwait(false)).Outcomes[0];
            if (!outcome.Accepted)
            {
                return RectificationResult.Refused(Fields.FirstOrDefault(f => outcome.Error?.StartsWith(f, StringComparison.Ordinal) == true) ?? "body", outcome.Error ?? "refused");
            }
        }

        var cleared = changes.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Null && !StatedLists.Contains(p.Name)).Select(p => p.Name).ToList();
        var profile = cleared.Count == 0
            ? await profiles.GetAsync(customerId, cancellationToken).ConfigureAwait(false)
            : await profiles.UpdateAsync(customerId, p =>
            {
                if (p is null)
                {
                    return null;
                }

                foreach (var field in cleared)
                {
                    Clear(p, field);
                }

                p.UpdatedAt = timeProvider.GetUtcNow();
                return p;
            }, cancellationToken).ConfigureAwait(false);
        // Exactly what changed: a value the profile held already is not reported (nor audited) as rectified.
        var after = profile is null ? held : Snapshot(profile);
        var rectified = Fields.Where(f => changes.TryGetProperty(f, out _) && !Equals(held[f], after[f])).ToList();
        return new RectificationResult(rectified, profile, recordId, new Dictionary<string, string[]>());
    }

    /// <summary>The rectifiable fields' values as the profile holds them (email and phone as their hashes).</summary>
    private static Dictionary<string, object?> Snapshot(CustomerProfile profile) => new(StringComparer.Ordinal)
    {
        ["email"] = profile.EmailSha256,
        ["phone"] = profile.PhoneSha256,
        ["birthYear"] = profile.BirthYear,
        ["ageVerifiedAdult"] = profile.AgeVerifiedAdult,
        ["timeZone"] = profile.TimeZone,
        ["preferredCategories"] = string.Join('\n', profile.StatedCategories),
        ["preferredBrands"] = string.Join('\n', profile.StatedBrands),
    };

    private static void Clear(CustomerProfile profile, string field)
    {
        switch (field)
        {
            case "email": profile.EmailSha256 = null; break;
            case "phone": profile.PhoneSha256 = null; break;
            case "birthYear": profile.BirthYear = null; break;
            case "ageVerifiedAdult": profile.AgeVerifiedAdult = null; break;
            case "timeZone": profile.TimeZone = null; break;
        }
    }

    /// <summary>Why <paramref name="field"/> cannot be rectified here; null when it can.</summary>
    public static string? WhyNotRectifiable(string field) => field switch
    {
        _ when Fields.Contains(field) => null,
        "emailSha256" or "phoneSha256" => $"send '{field[..^6]}' instead: only its hash is stored, computed from the value",
        "consents" or "consentHistory" => "consent decisions are recorded through POST /api/privacy/consents/{customerId}; their history is proof and is never rewritten",
        "objectedToProfiling" => "objection is recorded through PUT /api/privacy/objection/{customerId}",
        _ when ProfileProperties.Contains(field) =>
            $"'{field}' is computed from behaviour or kept by the system, not given by the customer: it cannot be rectified (object to profiling or erase instead); rectifiable: {string.Join(", ", Fields)}",
        _ => $"unknown field; rectifiable: {string.Join(", ", Fields)}",
    };

    private static readonly HashSet<string> ProfileProperties =
        [.. Json.Options.GetTypeInfo(typeof(CustomerProfile)).Properties.Select(p => p.Name)];
}
