namespace Recommender.Domain.Messaging;

/// <summary>
/// A message a workflow decided to send. <see cref="MessageId"/> is the idempotency key the
/// provider sees on every attempt; <see cref="Body"/> is the JSON posted as is.
/// </summary>
/// <param name="Kind">What the message is, e.g. <c>cart_abandonment</c>.</param>
/// <param name="NotBefore">Earliest send time (the send rules may delay it further).</param>
public sealed record OutboundMessage(string MessageId, string CustomerId, string Channel, string Kind, string Body, DateTimeOffset CreatedAt, DateTimeOffset NotBefore);

/// <summary>The delivery queue message: which outbox entry, and the entry generation it was scheduled for.</summary>
public sealed record DeliveryMessage(string CustomerId, string MessageId, int Generation = 0);
