namespace Recommender.Domain.Ingestion;

/// <summary>
/// One event of a batch as it arrived: its JSON text, or — when the transport could already tell it
/// is unusable (its bytes are not UTF-8) or the collector refused it (a consent the storefront client may not
/// relay) — the <see cref="Refusal"/> it gets without being read, with its <see cref="EventId"/> when known.
/// </summary>
public readonly record struct RawEvent(string Body, string? Refusal = null, string? EventId = null)
{
    public static implicit operator RawEvent(string body) => new(body);
}
