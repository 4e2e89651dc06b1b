using System.Text;
using System.Text.Json;
using Recommender.Domain;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Messaging;
using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;
using Recommender.Domain.Training;
using Recommender.Domain.Workflows;
using Recommender.Functions.Messaging;

namespace Recommender.Functions.Tests;

/// <summary>
/// Issue 13, defect 3 (queues): a queue message that is dead-lettered leaves what a person needs to fix its
/// sender — reason, field, type, queue, the queue message's id — never its raw body: no email, phone, IP,
/// free text, and the customer only by a keyed reference, by which erasure and access still find the letter.
/// </summary>
public sealed class QueueDeadLetterTests
{
    private const string Customer = "c-private-0042";

    /// <summary>What a hand-made or corrupted message may carry besides its fields: none of it may reach a dead letter.</summary>
    private static readonly string[] Personal = ["jane.doe", "example.com", "33612345678", "203.0.113.77", "call me after six", Customer, "order-private-9"];

    internal static async Task<string> RawDeadLettersAsync(TestApp app)
    {
        var raw = new StringBuilder();
        await foreach (var item in app.Get<IBlobStore>().ListAsync(BlobPrefixes.DeadLetter))
        {
            raw.Append(Encoding.UTF8.GetString((await app.Get<IBlobStore>().GetAsync(item.Name))!.Value.Content));
        }

        return raw.ToString();
    }

    private static string Contacts(string fields) =>
        $$"""{{{fields}}, "email": "jane.doe@example.com", "phone": "+33612345678", "ip": "203.0.113.77", "note": "call me after six"}""";

    /// <summary>Malformed messages on three queues (a wrong type, a missing field, no handler), each carrying contacts and a raw customer id.</summary>
    public static TheoryData<string, string, string?, string?> Malformed => new()
    {
        { CartAbandonmentWorkflow.Queue, Contacts($"\"customerId\": \"{Customer}\", \"generation\": \"three\""), "CartTimerMessage", "generation" },
        { PostPurchaseWorkflow.Queue, Contacts($"\"customerId\": \"{Customer}\", \"orderId\": \"order-private-9\", \"generation\": {{}}"), "PostPurchaseTimerMessage", "generation" },
        { DeliveryService.Queue, Contacts($"\"customerId\": \"{Customer}\", \"generation\": 1"), "DeliveryMessage", null },
        { "no-such-queue", Contacts($"\"customerId\": \"{Customer}\""), null, null },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task MalformedMessage_CarryingContacts_IsDeadLetteredWithoutThem(string queue, string body, string? type, string? field)
    {
        await using var app = new TestApp();

        var outcome = await app.Get<QueueDispatcher>().DispatchAsync(queue, body, "queue-message-17");

        Assert.Equal(DispatchOutcome.DeadLettered, outcome);
        var raw = await RawDeadLettersAsync(app);
        foreach (var personal in Personal)
        {
            Assert.DoesNotContain(personal, raw, StringComparison.Ordinal);
        }

        var deadLetters = app.Get<DeadLetters>();
        var letter = Assert.Single(await deadLetters.ReadAllAsync());
        Assert.Equal(($"queue:{queue}", "queue-message-17", type, field), (letter.Source, letter.EventId, letter.Type, letter.Field));
        Assert.False(string.IsNullOrEmpty(letter.Reason));
        // The customer is named by the keyed reference the dispatcher's logs use: access and erasure find the letter by it.
        Assert.Equal(deadLetters.KeyedRef("t", Customer), JsonDocument.Parse(letter.Payload).RootElement.GetProperty("subjectRef").GetString());
        Assert.Single(await deadLetters.MentioningAsync([Customer]));
        Assert.Equal(1, await deadLetters.EraseMentionsAsync([Customer]));
        Assert.Empty(await deadLetters.ReadAllAsync());
    }

    [Fact]
    public async Task UnactionableMessage_KeepsItsIdsThatNameNoOne_AndDropsEverythingElse()
    {
        await using var app = new TestApp();
        var body = Contacts("\"runId\": \"run-nosuchrun\"");

        var outcome = await app.Get<QueueDispatcher>().DispatchAsync(TrainingWorkflow.Queue, body);

        Assert.Equal(DispatchOutcome.DeadLettered, outcome);
        var letter = Assert.Single(await app.Get<DeadLetters>().ReadAllAsync());
        Assert.Equal(nameof(TrainingMessage), letter.Type);
        Assert.Contains("run-nosuchrun, which does not exist", letter.Reason, StringComparison.Ordinal);
        Assert.Equal("""{"runId":"run-nosuchrun"}""", letter.Payload);
    }

    [Fact]
    public async Task NotJson_IsDeadLetteredWithItsPosition_AndNothingOfIt()
    {
        await using var app = new TestApp();

        await app.Get<QueueDispatcher>().DispatchAsync(ReplenishmentWorkflow.Queue, "jane.doe@example.com +33612345678 203.0.113.77");

        var letter = Assert.Single(await app.Get<DeadLetters>().ReadAllAsync());
        Assert.Equal("{}", letter.Payload);
        Assert.Contains("not well-formed JSON (line 0, byte 0)", letter.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("jane.doe", await RawDeadLettersAsync(app), StringComparison.Ordinal);
    }
}
