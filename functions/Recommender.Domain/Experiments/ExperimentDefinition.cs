using Recommender.Domain.Events;

namespace Recommender.Domain.Experiments;

/// <summary>One arm of an experiment: its name (what serving stamps in an event's <c>variant</c>) and its share of traffic.</summary>
public sealed record ExperimentVariant(string Name, double Weight);

/// <summary>
/// A validated A/B (or A/B/n) test on one placement: variants with relative weights (the traffic
/// split; the first variant is the control) and the UTC window [<see cref="StartsAt"/>, <see cref="EndsAt"/>)
/// during which subjects are assigned and outcomes counted. With <see cref="Segments"/> it targets the
/// customers in any of those segments (as the latest segmentation run placed them, while they may be
/// profiled); everyone else is served the default and is not counted.
/// </summary>
public sealed record ExperimentDefinition
{
    public const int MinVariants = 2;
    public const int MaxVariants = 20;
    public const int MaxDescriptionLength = 500;
    public const int MaxSegments = 20;

    public required string Id { get; init; }
    /// <summary>The placement (wire name, e.g. <c>home</c>) whose lists the experiment varies.</summary>
    public required string Placement { get; init; }
    public required IReadOnlyList<ExperimentVariant> Variants { get; init; }
    public required DateTimeOffset StartsAt { get; init; }
    public required DateTimeOffset EndsAt { get; init; }
    public string? Description { get; init; }
    /// <summary>Targeting: only customers in at least one of these segments take part; absent or empty = everyone.</summary>
    public IReadOnlyList<string>? Segments { get; init; }

    /// <summary>The variant the others are compared with: the first.</summary>
    public string Control => Variants[0].Name;

    /// <summary>Whether the experiment is limited to some segments.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsTargeted => Segments is { Count: > 0 };

    /// <summary>Whether a subject in <paramref name="segments"/> takes part: always when not targeted, else when in one of <see cref="Segments"/>.</summary>
    public bool Targets(IReadOnlyCollection<string> segments) => !IsTargeted || Segments!.Any(s => segments.Contains(s, StringComparer.Ordinal));

    public bool IsActiveAt(DateTimeOffset at) => at >= StartsAt && at < EndsAt;

    public bool HasVariant(string name) => Variants.Any(v => string.Equals(v.Name, name, StringComparison.Ordinal));

    /// <summary>Whether both run on the same placement at some common instant.</summary>
    public bool Overlaps(ExperimentDefinition other) =>
        string.Equals(Placement, other.Placement, StringComparison.Ordinal) && StartsAt < other.EndsAt && other.StartsAt < EndsAt;
}

/// <summary>A variant as submitted, before validation.</summary>
public sealed record ExperimentVariantDraft
{
    public string? Name { get; init; }
    public double? Weight { get; init; }
}

/// <summary>An experiment definition as submitted (every field optional), validated into an <see cref="ExperimentDefinition"/>.</summary>
public sealed record ExperimentDraft
{
    /// <summary>Suffix reserved for the partition of an experiment's exposed users.</summary>
    public const string ReservedIdSuffix = "-users";

    public string? Id { get; init; }
    public string? Placement { get; init; }
    public IReadOnlyList<ExperimentVariantDraft?>? Variants { get; init; }
    public DateTimeOffset? StartsAt { get; init; }
    public DateTimeOffset? EndsAt { get; init; }
    public string? Description { get; init; }
    public IReadOnlyList<string?>? Segments { get; init; }

    /// <summary>
    /// Validates the draft for experiment <paramref name="id"/> (the body's <c>id</c>, when given,
    /// must be the same). Returns the definition (times in UTC), or the errors by field name
    /// (<c>variants[1].weight</c>).
    /// </summary>
    public (ExperimentDefinition? Definition, Dictionary<string, string[]> Errors) Validate(string id)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Fail(string field, string message) => errors[field] = [.. errors.GetValueOrDefault(field, []), message];

        if (!EventValidator.IsValidId(id))
        {
            Fail("id", $"must be 1-{EventValidator.MaxIdLength} letters, digits or - _ . : @");
        }
        else if (id.EndsWith(ReservedIdSuffix, StringComparison.Ordinal))
        {
            Fail("id", $"must not end in '{ReservedIdSuffix}'");
        }

        if (Id is not null && !string.Equals(Id, id, StringComparison.Ordinal))
        {
            Fail("id", "must match the id in the URL");
        }

        if (string.IsNullOrEmpty(Placement))
        {
            Fail("placement", "is required");
        }
        else if (!IsName(Placement))
        {
            Fail("placement", $"must be 1-{EventValidator.MaxPlacementLength} letters, digits or - _ . : @");
        }
        else if (!Recommendations.Placements.ByName.ContainsKey(Placement))
        {
            Fail("placement", $"'{Placement}' is not a placement: use one of {string.Join(", ", Recommendations.Placements.ByName.Keys)}");
        }

        if (Variants is null || Variants.Count < ExperimentDefinition.MinVariants || Variants.Count > ExperimentDefinition.MaxVariants)
        {
            Fail("variants", $"needs {ExperimentDefinition.MinVariants}-{ExperimentDefinition.MaxVariants} variants");
        }
        else
        {
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < Variants.Count; i++)
            {
                var variant = Variants[i];
                if (variant?.Name is not { } name || !IsName(name))
                {
                    Fail($"variants[{i}].name", $"is required: 1-{EventValidator.MaxPlacementLength} letters, digits or - _ . : @");
                }
                else if (!names.Add(name))
                {
                    Fail($"variants[{i}].name", $"'{name}' is used twice");
                }

                if (variant?.Weight is not { } weight || !double.IsFinite(weight) || weight <= 0)
                {
                    Fail($"variants[{i}].weight", "is required and must be greater than 0");
                }
            }
        }

        if (StartsAt is null)
        {
            Fail("startsAt", "is required");
        }

        if (EndsAt is null)
        {
            Fail("endsAt", "is required");
        }
        else if (StartsAt is { } start && EndsAt <= start)
        {
            Fail("endsAt", "must be after startsAt");
        }

        if (Description is { Length: > ExperimentDefinition.MaxDescriptionLength })
        {
            Fail("description", $"must be at most {ExperimentDefinition.MaxDescriptionLength} characters");
        }

        if (Segments is { Count: > ExperimentDefinition.MaxSegments })
        {
            Fail("segments", $"at most {ExperimentDefinition.MaxSegments} segments");
        }
        else if (Segments is not null)
        {
            for (var i = 0; i < Segments.Count; i++)
            {
                if (!global::Recommender.Domain.Segments.SegmentNames.IsValid(Segments[i]))
                {
                    Fail($"segments[{i}]", "is not a segment: vip, active, at-risk, dormant, new, price-sensitive, category-enthusiast:{category} or brand-loyalist:{brand}");
                }
            }
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        return (new ExperimentDefinition
        {
            Id = id,
            Placement = Placement!,
            Variants = [.. Variants!.Select(v => new ExperimentVariant(v!.Name!, v.Weight!.Value))],
            StartsAt = StartsAt!.Value.ToUniversalTime(),
            EndsAt = EndsAt!.Value.ToUniversalTime(),
            Description = string.IsNullOrWhiteSpace(Description) ? null : Description,
            Segments = Segments is { Count: > 0 } ? [.. Segments.Select(s => s!).Distinct(StringComparer.Ordinal)] : null,
        }, errors);
    }

    /// <summary>Placement and variant names are ids of at most 32 characters (variant names are document ids).</summary>
    private static bool IsName(string value) => value.Length <= EventValidator.MaxPlacementLength && EventValidator.IsValidId(value);
}
