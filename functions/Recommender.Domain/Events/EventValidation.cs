using System.Diagnostics.CodeAnalysis;

namespace Recommender.Domain.Events;

/// <summary>
/// The outcome of validating one raw event: the event, or why it was refused. A valid event also
/// reports the fields that were dropped on the way in (outside the schema, precise location, free
/// text, an unparsable IP address), by path (<c>rating</c>, <c>context.latitude</c>,
/// <c>lines[0].note</c>); their values are never kept.
/// </summary>
public sealed record EventValidation(ClickstreamEvent? Event, string? EventId, string? Error)
{
    /// <summary>Paths of the fields dropped from a valid event (names longer than 64 characters are cut).</summary>
    public IReadOnlyList<string> DroppedFields { get; init; } = [];

    [MemberNotNullWhen(true, nameof(Event))]
    public bool IsValid => Event is not null;

    public static EventValidation Valid(ClickstreamEvent e, IReadOnlyList<string>? droppedFields = null) =>
        new(e, e.Id, null) { DroppedFields = droppedFields ?? [] };

    public static EventValidation Invalid(string? eventId, string error) => new(null, eventId, error);
}
