using Microsoft.Extensions.Options;
using Recommender.Domain.Ports;
using Recommender.Domain.Profiles;
using Recommender.Domain.Ports.Storage;
using Recommender.Domain.Webhooks;

namespace Recommender.Domain.Messaging;

/// <summary>
/// The rules every message passes at send time (not only when decided, so an unsubscribe, a STOP
/// or a suppression stops messages already scheduled): channel consent (SMS needs double opt-in),
/// the suppression list, a configured provider, global and per-channel frequency caps, and quiet
/// hours in the customer's time zone (delayed to their end, never dropped).
/// </summary>
public sealed class SendRules(IDocumentStore documents, ProfileStore profiles, IOptions<WebhookOptions> webhooks, IOptions<MessagingOptions> options, TimeProvider timeProvider)
{
    /// <summary>The consent source an SMS consent must carry.</summary>
    public const string DoubleOptIn = "double_opt_in";

    public async Task<SendDecision> EvaluateAsync(OutboundMessage message, CancellationToken cancellationToken = default)
    {
        var profile = await profiles.GetAsync(message.CustomerId, cancellationToken).ConfigureAwait(false);
        SuppressionState? suppression = null;
        Segments.CustomerSegments? segments = null;
        var outbox = new List<OutboxEntry>();
        await foreach (var document in documents.ReadPartitionAsync(Collections.Workflows, message.CustomerId, cancellationToken).ConfigureAwait(false))
        {
            if (document.Id.StartsWith(MessageOutbox.IdPrefix, StringComparison.Ordinal))
            {
                outbox.Add(Json.FromElement<OutboxEntry>(document.Body));
            }
            else if (document.Id == SuppressionList.DocumentId)
            {
                suppression = Json.FromElement<SuppressionState>(document.Body);
            }
            else if (document.Id == Segments.CustomerSegments.DocumentId && options.Value.SegmentCaps.Count > 0)
            {
                segments = Json.FromElement<Segments.CustomerSegments>(document.Body);
            }
        }

        // Segment caps only while the customer may be profiled (an objection or a withdrawal takes effect at once).
        var now = timeProvider.GetUtcNow();
        var usable = profile is not null && Segments.SegmentationWorkflow.MayProfile(profile, now) ? segments?.Segments : null;
        return Evaluate(message, profile, suppression, outbox, webhooks.Value.For(message.Channel)?.IsConfigured == true, now, options.Value.ForSegments(usable));
    }

    /// <summary>The rules on what is known; <paramref name="outbox"/> is the customer's outbox (the message itself may be in it).</summary>
    public static SendDecision Evaluate(OutboundMessage message, CustomerProfile? profile, SuppressionState? suppression, IReadOnlyList<OutboxEntry> outbox,
        bool providerConfigured, DateTimeOffset now, MessagingOptions options)
    {
        if (profile is null)
        {
            return SendDecision.Suppress("customer unknown");
        }

        if (ConsentProblem(profile, message.Channel) is { } noConsent)
        {
            return SendDecision.Suppress(noConsent);
        }

        if (suppression?.Channels.TryGetValue(message.Channel, out var suppressed) == true)
        {
            return SendDecision.Suppress($"{message.Channel} suppressed by {suppressed.By}: {suppressed.Reason}");
        }

        if (!providerConfigured)
        {
            return SendDecision.Suppress($"no {message.Channel} provider configured");
        }

        // A first look at the caps; the delivery reserves its slot atomically before it posts (SendLedger).
        var since = now - options.CapWindow;
        var sent = outbox.Where(e => e.Status == OutboxStatus.Sent && e.SentAt > since && e.Message.MessageId != message.MessageId).ToList();
        if (CapProblem(sent.Count, sent.Count(e => e.Message.Channel == message.Channel), message.Channel, options) is { } capped)
        {
            return SendDecision.Suppress(capped);
        }

        var (zone, zoneNote) = ZoneOf(profile);
        return QuietHoursEnd(now, zone, options) is { } end
            ? SendDecision.Delay(end, $"quiet hours in {zone.Id} until {end:O}{zoneNote}")
            : SendDecision.Send(zoneNote.Length == 0 ? null : zoneNote.TrimStart(';', ' '));
    }

    /// <summary>Which frequency cap <paramref name="total"/> messages in the window (<paramref name="onChannel"/> of them on <paramref name="channel"/>) reach; null when one more may go.</summary>
    public static string? CapProblem(int total, int onChannel, string channel, MessagingOptions options) =>
        total >= options.MaxPerWindow ? $"frequency cap: {total} messages in {options.CapWindow.TotalDays:0.#} days (at most {options.MaxPerWindow})"
        : onChannel >= options.MaxPerChannelPerWindow ? $"frequency cap: {onChannel} {channel} messages in {options.CapWindow.TotalDays:0.#} days (at most {options.MaxPerChannelPerWindow})"
        : null;

    /// <summary>Why the customer's consent does not allow <paramref name="channel"/>; null when it does.</summary>
    public static string? ConsentProblem(CustomerProfile profile, string channel) => channel switch
    {
        MessageChannels.Email or MessageChannels.Push => profile.HasConsent(channel) ? null : $"no {channel} consent",
        MessageChannels.Sms => !profile.Consents.TryGetValue(channel, out var sms) || !sms.Granted ? "no sms consent"
            : sms.Source != DoubleOptIn ? "sms consent without double opt-in" : null,
        _ => $"unknown channel '{channel}'",
    };

    /// <summary>
    /// The end of the quiet hours <paramref name="now"/> falls in, in <paramref name="zone"/>; null
    /// outside them. Start == end means no quiet hours; start &gt; end spans midnight.
    /// </summary>
    public static DateTimeOffset? QuietHoursEnd(DateTimeOffset now, TimeZoneInfo zone, MessagingOptions options)
    {
        var (start, end) = (options.QuietHoursStart, options.QuietHoursEnd);
        if (start == end)
        {
            return null;
        }

        var local = TimeZoneInfo.ConvertTime(now, zone);
        var time = local.TimeOfDay;
        var quiet = start < end ? time >= start && time < end : time >= start || time < end;
        if (!quiet)
        {
            return null;
        }

        var endDay = start > end && time >= start ? local.Date.AddDays(1) : local.Date;
        var endLocal = endDay + end;
        while (zone.IsInvalidTime(endLocal))
        {
            endLocal = endLocal.AddMinutes(30); // the end falls in a daylight-saving gap: the first valid time after it
        }

        return new DateTimeOffset(endLocal, zone.GetUtcOffset(endLocal));
    }

    private static (TimeZoneInfo Zone, string Note) ZoneOf(CustomerProfile profile)
    {
        if (string.IsNullOrWhiteSpace(profile.TimeZone))
        {
            return (TimeZoneInfo.Utc, "; time zone not known: UTC used");
        }

        try
        {
            return (TimeZoneInfo.FindSystemTimeZoneById(profile.TimeZone), "");
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return (TimeZoneInfo.Utc, $"; time zone '{profile.TimeZone}' unknown: UTC used");
        }
    }
}
