using static Recommender.Functions.Tests.AttributionTests;

namespace Recommender.Functions.Tests;

/// <summary>
/// Attribution on the Azure adapters (Cosmos DB stand-in and Azurite, tests/emulators/start.sh): the ledger, the
/// units and the ETag-guarded report rows as Cosmos DB stores them — the journey split exactly, a redelivered batch
/// counted once, a late touch re-attributing and a refund reversing, reconciled to the cent.
/// </summary>
[Collection(AzureModeCollection.Name)]
public sealed class AttributionAzureTests
{
    [Fact]
    public async Task Journey_Redelivery_LateTouch_AndRefund_OnCosmos_ReconcileToTheCent()
    {
        await using var app = await AzureModeTests.CreateAppAsync();
        await GrantAsync(app, "alice");
        var now = app.Clock.GetUtcNow();
        object[] batch =
        [
            Impression("i1", "alice", now.AddHours(-24)),
            MessageClick("c1", "alice", now.AddHours(-12)),
            Purchase("p1", "alice", now, 90m, orderId: "o-1"),
            Purchase("p2", "bob", now.AddMinutes(-30), 50m),
        ];
        await PostAsync(app, batch);
        await PostAsync(app, batch); // redelivered

        var report = await ReportAsync(app);
        AssertModels(Bucket(report, "email", "spring"), 90, 45, 52.72);
        AssertModels(Bucket(report, "recommendation", "home", "B"), 0, 45, 37.28);
        AssertReconciles(report, 140);

        app.Clock.Advance(TimeSpan.FromHours(1));
        await PostAsync(app, MessageClick("late", "alice", now.AddHours(-6), campaign: "flash", type: "push_click"));
        await PostAsync(app, Refund("r1", "alice", app.Clock.GetUtcNow(), "o-1", 45m));

        report = await ReportAsync(app);
        AssertModels(Bucket(report, "push", "flash"), 45, 15, 18.48);
        Assert.Equal(1, report.GetProperty("store").GetProperty("reattributedOrders").GetInt64());
        AssertReconciles(report, 95);
    }
}
