using Recommender.Domain.Messaging;
using Recommender.Domain.Profiles;

namespace Recommender.Domain.Tests.Messaging;

public class SendRulesTests
{
    private static readonly MessagingOptions Options = new();
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    private static OutboundMessage Message(string channel = "email", string id = "m1") =>
        new(id, "c1", channel, "offer", "{}", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    private static CustomerProfile Profile(string? timeZone = null, params (string Channel, bool Granted, string Source)[] consents)
    {
        var profile = new CustomerProfile { CustomerId = "c1", TimeZone = timeZone };
        foreach (var (channel, granted, source) in consents)
        {
            profile.Consents[channel] = new ConsentRecord(granted, DateTimeOffset.UnixEpoch, "v1", source, "e-" + channel);
        }

        return profile;
    }

    private static SendDecision Evaluate(OutboundMessage message, CustomerProfile? profile, DateTimeOffset now, IReadOnlyList<OutboxEntry>? outbox = null, SuppressionState? suppression = null) =>
        SendRules.Evaluate(message, profile, suppression, outbox ?? [], providerConfigured: true, now, Options);

    private static readonly DateTimeOffset Noon = new(2026, 6, 10, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Evaluate_UnknownTimeZone_UsesUtcAndSaysSo()
    {
        var decision = Evaluate(Message(), Profile("Mars/Olympus_Mons", ("email", true, "form")), Noon);

        Assert.Equal(SendVerdict.Send, decision.Verdict);
        Assert.Equal("time zone 'Mars/Olympus_Mons' unknown: UTC used", decision.Reason);
    }

    [Fact]
    public void Evaluate_UnknownTimeZoneAtNight_DelaysToEightUtc()
    {
        var decision = Evaluate(Message(), Profile("Nowhere/Else", ("email", true, "form")), Noon.AddHours(10));

        Assert.Equal(SendVerdict.Delay, decision.Verdict);
        Assert.Equal(new DateTimeOffset(2026, 6, 11, 8, 0, 0, TimeSpan.Zero), decision.Until);
        Assert.Contains("unknown: UTC used", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-06-10T19:30:00Z", "2026-06-11T06:00:00Z")] // 21:30 summer time → 08:00 the next day
    [InlineData("2026-06-10T05:00:00Z", "2026-06-10T06:00:00Z")] // 07:00 → 08:00 the same day
    [InlineData("2026-01-10T06:59:00Z", "2026-01-10T07:00:00Z")] // 07:59 winter time
    public void QuietHoursEnd_InParis_IsEightLocal(string now, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            SendRules.QuietHoursEnd(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture), Paris, Options));

    [Theory]
    [InlineData("2026-06-10T06:00:00Z")] // 08:00 exactly: over
    [InlineData("2026-06-10T18:59:00Z")] // 20:59
    public void QuietHoursEnd_OutsideQuietHours_IsNull(string now) =>
        Assert.Null(SendRules.QuietHoursEnd(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture), Paris, Options));

    [Fact]
    public void QuietHoursEnd_SameStartAndEnd_MeansNoQuietHours() =>
        Assert.Null(SendRules.QuietHoursEnd(Noon.AddHours(11), TimeZoneInfo.Utc, new MessagingOptions { QuietHoursStart = TimeSpan.Zero, QuietHoursEnd = TimeSpan.Zero }));

    [Theory]
    [InlineData("sms", "double_opt_in", true, null)]
    [InlineData("sms", "signup_form", true, "sms consent without double opt-in")]
    [InlineData("sms", "double_opt_in", false, "no sms consent")]
    [InlineData("push", "app", true, null)]
    [InlineData("push", "app", false, "no push consent")]
    [InlineData("fax", "form", true, "unknown channel 'fax'")]
    public void ConsentProblem_PerChannel(string channel, string source, bool granted, string? expected) =>
        Assert.Equal(expected, SendRules.ConsentProblem(Profile(null, (channel, granted, source)), channel));

    [Fact]
    public void Evaluate_CapCountsOnlySentMessagesInsideTheWindow_AndNotItself()
    {
        OutboxEntry Sent(string id, DateTimeOffset at) => new() { Message = Message(id: id), Status = OutboxStatus.Sent, SentAt = at };
        var profile = Profile("UTC", ("email", true, "form"));
        var outbox = new List<OutboxEntry>
        {
            Sent("old", Noon - TimeSpan.FromDays(8)),
            Sent("a", Noon - TimeSpan.FromDays(1)),
            new() { Message = Message(id: "failed"), Status = OutboxStatus.DeadLettered },
            Sent("m1", Noon), // the message itself (a redelivery after a crash)
        };

        Assert.Equal(SendVerdict.Send, Evaluate(Message(), profile, Noon, outbox).Verdict);
        outbox.Add(Sent("b", Noon - TimeSpan.FromDays(2)));
        Assert.Equal(SendVerdict.Suppress, Evaluate(Message(), profile, Noon, outbox).Verdict);
    }

    [Fact]
    public void Evaluate_OrderOfRules_ConsentBeforeSuppressionBeforeProvider()
    {
        var suppression = new SuppressionState { CustomerId = "c1" };
        suppression.Channels["email"] = new Suppression("complaint", "provider", Noon);

        Assert.Equal("customer unknown", Evaluate(Message(), null, Noon).Reason);
        Assert.Equal("no email consent", Evaluate(Message(), Profile(), Noon, suppression: suppression).Reason);
        Assert.Equal("email suppressed by provider: complaint", Evaluate(Message(), Profile("UTC", ("email", true, "form")), Noon, suppression: suppression).Reason);
        Assert.Equal("no email provider configured",
            SendRules.Evaluate(Message(), Profile("UTC", ("email", true, "form")), null, [], providerConfigured: false, Noon, Options).Reason);
    }
}
