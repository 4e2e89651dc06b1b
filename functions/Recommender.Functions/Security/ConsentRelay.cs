using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Recommender.Domain.Events;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Privacy;

namespace Recommender.Functions.Security;

/// <summary>
/// Consent can only be given by whom it belongs to (docs/privacy-at-source.md, "Trust model"). A
/// <c>consent</c> event arriving on the storefront collector is accepted only when:
/// <list type="number">
/// <item>the storefront client that sent it may relay consent (<see cref="StorefrontClientOptions.RelaysConsent"/>);</item>
/// <item>it does not claim a provenance itself (<c>relayedBy</c>, or a <c>source</c> reserved for the privacy
/// API): the collector records <c>relayedBy = storefront:{client}</c> from the authenticated key;</item>
/// <item>it is not dated ahead of the collector's clock (<see cref="MaxConsentClockSkew"/>: a consent takes
/// effect when it is given; a future date would outrank a later, real withdrawal);</item>
/// <item>for a customer id: the request carries a session assertion (<see cref="SessionAssertionHeader"/>)
/// signed by the client's server with its <see cref="StorefrontClientOptions.SessionAssertionKey"/>, not
/// expired, naming that same customer — the browser holds the storefront key, never the signing key, so it
/// cannot give consent in another customer's name.</item>
/// </list>
/// Anything else is refused with its reason (answered per event, dead-lettered without a subject id) and
/// audited as <c>consent.refused</c> by <c>storefront:{client}</c> (the subject as a hash). With no storefront
/// client configured (local development) the routes are open: provenance and dates are still checked, the
/// relay is recorded as <c>storefront</c>.
/// </summary>
public sealed partial class ConsentRelay(IOptions<StorefrontOptions> options, AuditLog audit, TimeProvider timeProvider, ILogger<ConsentRelay> logger)
{
    /// <summary>The request header holding the session assertion: <c>{expiresUnixSeconds}.{signature}.{customerId}</c>.</summary>
    public const string SessionAssertionHeader = "X-Session-Assertion";
    public const int MinSessionAssertionKeyLength = 32;
    /// <summary>Assertions expiring further ahead than this are refused: a leaked one is of short use.</summary>
    public static readonly TimeSpan MaxAssertionLifetime = TimeSpan.FromHours(1);
    /// <summary>How far ahead of the collector's clock a consent may be dated.</summary>
    public static readonly TimeSpan MaxConsentClockSkew = TimeSpan.FromMinutes(1);
    /// <summary>The relay recorded while the storefront routes are open (no client configured).</summary>
    public const string OpenRelay = "storefront";
    /// <summary>The audit action of a refused consent.</summary>
    public const string RefusedAction = "consent.refused";

    /// <summary>Why a consent from the storefront was refused.</summary>
    public static class Reasons
    {
        public const string NotARelay = "consent refused: this storefront client is not allowed to relay consent";
        public const string ClaimedRelay = "consent refused: relayedBy is recorded by the collector from the storefront key, never sent";
        public const string ReservedSource = "consent refused: this source is reserved for consents recorded by operators";
        public const string Future = "consent refused: occurredAt is ahead of the collector's clock (a consent takes effect when it is given)";
        public const string NoAssertion = "consent refused: a consent for a customer needs the session's X-Session-Assertion";
        public const string InvalidAssertion = "consent refused: the X-Session-Assertion is not valid (signature, or expired)";
        public const string OtherCustomer = "consent refused: the session asserts another customer";
    }

    /// <summary>The decision on one consent event: the relay to record, or why it is refused.</summary>
    public readonly record struct Decision(string? RelayedBy, string? Refusal);

    private readonly Dictionary<string, byte[]> _assertionKeys = options.Value.Clients
        .Where(c => c.Value is { RelaysConsent: true, SessionAssertionKey.Length: >= MinSessionAssertionKeyLength })
        .ToDictionary(c => c.Key, c => Encoding.UTF8.GetBytes(c.Value.SessionAssertionKey!), StringComparer.Ordinal);

    private bool IsOpen => options.Value.Clients.Count == 0;

    /// <summary>
    /// What a storefront's server sends in <see cref="SessionAssertionHeader"/> for the customer its session
    /// authenticated: <c>{expires}.{base64url HMAC-SHA256(key, "{expires}.{customerId}")}.{customerId}</c>.
    /// </summary>
    public static string Assert(string key, string customerId, DateTimeOffset expires)
    {
        ArgumentNullException.ThrowIfNull(key);
        var seconds = expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"{seconds}.{Signature(Encoding.UTF8.GetBytes(key), seconds, customerId)}.{customerId}";
    }

    /// <summary>Decides one valid consent event sent by <paramref name="client"/> (null: open routes) with the request's assertion.</summary>
    public Decision Check(ClickstreamEvent e, string? client, string? assertion)
    {
        ArgumentNullException.ThrowIfNull(e);
        var now = timeProvider.GetUtcNow();
        if (!IsOpen && (client is null || !_assertionKeys.ContainsKey(client)))
        {
            return new(null, Reasons.NotARelay);
        }

        if (e.RelayedBy is not null)
        {
            return new(null, Reasons.ClaimedRelay);
        }

        if (e.Source is { } source && (source.Equals(IngestionService.PrivacyApiSource, StringComparison.OrdinalIgnoreCase)
            || source.StartsWith("operator", StringComparison.OrdinalIgnoreCase)))
        {
            return new(null, Reasons.ReservedSource);
        }

        if (e.OccurredAt > now + MaxConsentClockSkew)
        {
            return new(null, Reasons.Future);
        }

        if (IsOpen)
        {
            return new(OpenRelay, null);
        }

        // A visitor's own cookie banner: the unguessable cookie id is the session; nothing to assert.
        if (e.CustomerId is not { } customerId)
        {
            return new($"storefront:{client}", null);
        }

        if (string.IsNullOrEmpty(assertion))
        {
            return new(null, Reasons.NoAssertion);
        }

        return AssertedCustomer(_assertionKeys[client!], assertion, now) switch
        {
            null => new(null, Reasons.InvalidAssertion),
            var asserted when asserted == customerId => new($"storefront:{client}", null),
            _ => new(null, Reasons.OtherCustomer),
        };
    }

    /// <summary>
    /// The storefront collector's screen over raw events (<c>POST /api/events</c>): consent events are
    /// decided by <see cref="Check"/> — refused ones become refusals with the reason (and are audited),
    /// accepted ones carry the recorded <c>relayedBy</c>; every other event passes as it came.
    /// </summary>
    public async Task<IReadOnlyList<RawEvent>> ScreenAsync(IReadOnlyList<RawEvent> events, EventValidator validator, string? client, string? assertion,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(validator);
        RawEvent[]? screened = null;
        List<(ClickstreamEvent, string)>? refused = null;
        for (var i = 0; i < events.Count; i++)
        {
            var raw = events[i];
            if (raw.Refusal is not null || !IsConsent(raw.Body) || validator.Validate(raw.Body).Event is not { } e)
            {
                continue;
            }

            screened ??= [.. events];
            var decision = Check(e, client, assertion);
            if (decision.Refusal is { } reason)
            {
                screened[i] = new RawEvent(raw.Body, reason, e.Id);
                (refused ??= []).Add((e, reason));
            }
            else
            {
                var body = (JsonObject)JsonNode.Parse(raw.Body)!;
                body["relayedBy"] = decision.RelayedBy;
                screened[i] = new RawEvent(body.ToJsonString());
            }
        }

        if (refused is not null)
        {
            await AuditAsync(refused, client, cancellationToken).ConfigureAwait(false);
        }

        return screened ?? events;
    }

    /// <summary>Records each refused consent in the audit log (the subject as a hash) and logs the count.</summary>
    public async Task AuditAsync(IReadOnlyList<(ClickstreamEvent Event, string Reason)> refused, string? client, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(refused);
        var actor = client is null ? OpenRelay : $"storefront:{client}";
        foreach (var (e, reason) in refused)
        {
            if (e.SubjectId is { } subject)
            {
                await audit.RecordAsync(actor, RefusedAction, subject, reason, e.Id, cancellationToken).ConfigureAwait(false);
            }
        }

        LogRefused(logger, refused.Count, actor);
    }

    /// <summary>True when the body is a JSON object whose <c>type</c> is <c>consent</c> (escapes included), without validating it.</summary>
    internal static bool IsConsent(string body)
    {
        try
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(body), new JsonReaderOptions { MaxDepth = EventValidator.MaxDepth });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = reader.ValueTextEquals("type"u8);
                reader.Read();
                if (isType && reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("consent"u8))
                {
                    return true;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // not JSON: the validator refuses it
        }

        return false;
    }

    /// <summary>The customer a well-signed, unexpired assertion names; null otherwise.</summary>
    private static string? AssertedCustomer(byte[] key, string assertion, DateTimeOffset now)
    {
        var parts = assertion.Split('.', 3);
        if (parts.Length != 3 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return null;
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (expires <= now || expires > now + MaxAssertionLifetime)
        {
            return null;
        }

        var expected = Encoding.ASCII.GetBytes(Signature(key, parts[0], parts[2]));
        var presented = Encoding.ASCII.GetBytes(parts[1]);
        return CryptographicOperations.FixedTimeEquals(expected, presented) ? parts[2] : null;
    }

    private static string Signature(byte[] key, string expires, string customerId) =>
        Base64UrlEncode(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{expires}.{customerId}")));

    private static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Count} consent events relayed by {Relay} (see the audit log, action consent.refused)")]
    private static partial void LogRefused(ILogger logger, int count, string relay);
}
