using System.Net.Http.Json;
using System.Text.Json;
using Recommender.Adapters.Embedded;
using Recommender.Domain;
using Recommender.Domain.Catalog;
using Recommender.Domain.Events;
using Recommender.Domain.Ingestion;
using Recommender.Domain.Ports;
using Recommender.Domain.Privacy;
using Recommender.Domain.Profiles;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Ports.Storage;
using Recommender.Domain.Training;
using Recommender.Domain.Workflows;

namespace Recommender.Functions.Tests;

/// <summary>
/// Issue 14: consent, objection, age and erasure hold for the raw event archive and every model, not
/// just for profiles (docs/privacy-at-source.md).
/// </summary>
public sealed class PrivacyAtSourceTests
{
    private static async Task<List<ClickstreamEvent>> ArchivedAsync(TestApp app)
    {
        var events = new List<ClickstreamEvent>();
        await foreach (var e in app.Get<EventArchive>().ReadAllAsync())
        {
            events.Add(e);
        }

        return events;
    }

    private static Task<IngestionResult> IngestAsync(TestApp app, params object[] events) =>
        app.Get<IngestionService>().IngestAsync([.. events.Select(e => JsonSerializer.Serialize(e, Json.Options))], "test");

    private static object Search(TestApp app, string id, string customer, string query) =>
        new { id, type = "search", customerId = customer, query, occurredAt = app.Clock.GetUtcNow() };

    private static object Account(TestApp app, string id, string customer, int birthYear) =>
        new { id, type = "account", customerId = customer, birthYear, occurredAt = app.Clock.GetUtcNow() };

    [Fact]
    public async Task TheArchive_KeepsBehaviourOnlyOfSubjectsWhoMayBeProfiled_CountingWhatItKeptOut()
    {
        await using var app = new TestApp();
        var minorBirthYear = app.Clock.GetUtcNow().Year - 12;
        await app.GrantAnalyticsAsync("ok", "withdrawn", "objector", "minor");
        await app.PostEventsAsync(app.Consent("withdraw", "withdrawn", false, "analytics"), Account(app, "young", "minor", minorBirthYear));
        Assert.True(await app.Get<ProfilingObjection>().SetAsync("objector", objects: true));
        app.Clock.Advance(TimeSpan.FromMinutes(5));

        var result = await IngestAsync(app,
            app.View("ok-v", "ok", "p1"), Search(app, "ok-s", "ok", "ok boots"),
            app.View("never-v", "never", "p1"), Search(app, "never-s", "never", "never boots"), app.Purchase("never-o", "never", "p1"),
            app.View("withdrawn-v", "withdrawn", "p1"), Search(app, "withdrawn-s", "withdrawn", "withdrawn boots"),
            app.View("objector-v", "objector", "p1"), Search(app, "objector-s", "objector", "objector boots"),
            app.View("minor-v", "minor", "p1"), Search(app, "minor-s", "minor", "minor boots"),
            new { id = "visitor-v", type = "view", anonymousId = "cookie-1", productId = "p1", occurredAt = app.Clock.GetUtcNow() });

        Assert.All(result.Outcomes, o => Assert.True(o.Accepted)); // accepted: kept out of the archive is not refused
        var archived = await ArchivedAsync(app);
        var ids = archived.Select(e => e.Id).ToHashSet();
        Assert.Contains("ok-v", ids);
        Assert.Contains("ok-s", ids);
        Assert.Contains("visitor-v", ids); // an anonymous visitor linked to no one is archived under the anonymous id
        foreach (var who in new[] { "never", "withdrawn", "objector", "minor" })
        {
            Assert.DoesNotContain($"{who}-v", ids);
            Assert.DoesNotContain($"{who}-s", ids);
        }

        // The order of the never-consented customer is an accounting record: kept, pseudonymized.
        var order = Assert.Single(archived, e => e.Id == "never-o");
        Assert.Equal(ClickstreamEvent.PseudonymSubjectPrefix + ErasureService.HashOf("never"), order.CustomerId);
        Assert.True(order.IsPseudonymized);
        Assert.DoesNotContain(archived, e => e.CustomerId == "never");
        // Consent and account records always stay: they are what the customer told us.
        Assert.Contains("withdraw", ids);
        Assert.Contains("young", ids);

        Assert.Equal(new Dictionary<string, int>
        {
            [ArchiveReasons.NoAnalyticsConsent] = 4,
            [ArchiveReasons.Objection] = 2,
            [ArchiveReasons.PossiblyMinor] = 2,
            [ArchiveReasons.Pseudonymized] = 1,
        }, result.NotArchived);
    }

    [Fact]
    public async Task InOneBatch_EachEventIsDecidedByTheConsentStateAtItsPlaceInEventTime()
    {
        await using var app = new TestApp();
        await app.GrantAnalyticsAsync("leaving");
        app.Clock.Advance(TimeSpan.FromMinutes(5)); // the batch comes after the grant
        var now = app.Clock.GetUtcNow();
        object At(object e, TimeSpan offset) => MergeTime(e, now + offset);

        await IngestAsync(app,
            // "joining": a view before their grant stays out, a view after it goes in.
            At(app.View("joining-before", "joining", "p1"), TimeSpan.FromSeconds(-30)),
            At(app.Consent("joining-grant", "joining", true, "analytics"), TimeSpan.FromSeconds(-20)),
            At(app.View("joining-after", "joining", "p2"), TimeSpan.FromSeconds(-10)),
            // "leaving": a view before the withdrawal goes in (the training filter drops it later), one after stays out.
            At(app.View("leaving-before", "leaving", "p1"), TimeSpan.FromSeconds(-30)),
            At(app.Consent("leaving-withdraw", "leaving", false, "analytics"), TimeSpan.FromSeconds(-20)),
            At(app.View("leaving-after", "leaving", "p2"), TimeSpan.FromSeconds(-10)));

        var ids = (await ArchivedAsync(app)).Select(e => e.Id).ToHashSet();
        Assert.DoesNotContain("joining-before", ids);
        Assert.Contains("joining-after", ids);
        Assert.Contains("leaving-before", ids);
        Assert.DoesNotContain("leaving-after", ids);
        Assert.Equal(["p2"], (await app.Get<ProfileStore>().GetAsync("joining"))!.RecentViews.Select(v => v.ProductId));

        // Training, at its own time, follows the state then: the withdrawn customer's archived view is not learned from.
        var permitted = new List<string>();
        await foreach (var e in app.Get<PermittedTrainingData>().ReadAllAsync())
        {
            permitted.Add(e.Id);
        }

        Assert.Contains("joining-after", permitted);
        Assert.DoesNotContain("leaving-before", permitted);
    }

    /// <summary>
    /// A withdrawal and a batch of views of the same customer, ingested concurrently: whichever order the
    /// profile's ETag-guarded writes took (its processed event ids record it), the archive agrees with it —
    /// a view applied before the withdrawal is archived, one applied after is not. Holds for any interleaving.
    /// </summary>
    [Fact]
    public async Task AConsentWithdrawalRacingABatch_TheArchiveFollowsTheOrderOfTheProfileWrites()
    {
        await using var app = new TestApp();
        var customers = Enumerable.Range(0, 12).Select(i => $"racer-{i}").ToArray();
        await app.GrantAnalyticsAsync(customers);
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        var ingestion = app.Get<IngestionService>();
        string Body(object e) => JsonSerializer.Serialize(e, Json.Options);

        await Task.WhenAll(customers.SelectMany(c => new[]
        {
            Task.Run(() => ingestion.IngestAsync([Body(app.View($"{c}-v1", c, "p1")), Body(app.View($"{c}-v2", c, "p2"))], "storefront")),
            Task.Run(() => ingestion.IngestAsync([Body(app.Consent($"{c}-withdraw", c, false, "analytics"))], "privacy-api")),
        }));

        var archived = (await ArchivedAsync(app)).Select(e => e.Id).ToHashSet();
        foreach (var c in customers)
        {
            var order = (await app.Get<ProfileStore>().GetAsync(c))!.ProcessedEventIds;
            var withdrawnAt = order.IndexOf($"{c}-withdraw");
            Assert.True(withdrawnAt >= 0);
            foreach (var view in new[] { $"{c}-v1", $"{c}-v2" })
            {
                var appliedAt = order.IndexOf(view);
                // Applied before the withdrawal: archived. After it: not archived (and, without consent, not even remembered as applied).
                Assert.Equal(appliedAt >= 0 && appliedAt < withdrawnAt, archived.Contains(view));
            }
        }
    }

    [Fact]
    public async Task AnObjection_StopsEveryNewDerivation_FeaturesWorkflowsAndTheArchive()
    {
        await using var app = new TestApp();
        await app.Get<CatalogProvider>().SaveAsync([new Product("p1", "One", "shoes", 10m, ReplenishAfterDays: 30), new Product("p2", "Two", "bags", 20m)]);
        await app.GrantAnalyticsAsync("objector");
        await app.PostEventsAsync(app.Consent("email", "objector", true), app.View("before", "objector", "p1"), Search(app, "before-s", "objector", "first query"));
        var before = (await app.Get<ProfileStore>().GetAsync("objector"))!;
        Assert.True(await app.Get<ProfilingObjection>().SetAsync("objector", objects: true));
        app.Clock.Advance(TimeSpan.FromMinutes(1));

        await app.PostEventsAsync(app.View("after-v", "objector", "p2"), Search(app, "after-s", "objector", "second query"),
            app.AddToCart("after-c", "objector", "p2"), new { id = "after-w", type = "wishlist_add", customerId = "objector", productId = "p2", occurredAt = app.Clock.GetUtcNow() },
            app.Purchase("after-o", "objector", "p1"));
        await app.PostEventsAsync(app.Delivery("after-d", "objector", "order-after-o", "p1"));

        var after = (await app.Get<ProfileStore>().GetAsync("objector"))!;
        // The features derived before stay (restriction), nothing new is added.
        Assert.Equal(before.RecentViews, after.RecentViews);
        Assert.Equal(["first query"], after.RecentSearches.Select(s => s.Query));
        Assert.Equal(before.CategoryAffinities, after.CategoryAffinities);
        Assert.Empty(after.Cart);
        Assert.Empty(after.Wishlist);
        Assert.Empty(after.Purchased);
        Assert.Equal(0, after.OrderCount);
        // No workflow learns from it either.
        Assert.Null(await app.Get<CartAbandonmentWorkflow>().GetAsync("objector"));
        Assert.Null(await app.Get<PostPurchaseWorkflow>().GetAsync("objector", "order-after-o"));
        Assert.Null(await app.Get<ReplenishmentWorkflow>().GetAsync("objector"));
        // And the archive keeps none of it raw: the order is a pseudonymized accounting record.
        var archived = await ArchivedAsync(app);
        Assert.DoesNotContain(archived, e => e.Id.StartsWith("after-", StringComparison.Ordinal) && e.CustomerId == "objector");
        Assert.All(archived.Where(e => e.Id is "after-o" or "after-d"), e => Assert.True(e.IsPseudonymized));
    }

    [Fact]
    public async Task AVisitorLinkedToANonConsentingCustomer_IsNoLongerArchivedUnderTheAnonymousId()
    {
        await using var app = new TestApp();
        await app.PostEventsAsync(new { id = "v-before", type = "view", anonymousId = "cookie-9", productId = "p1", occurredAt = app.Clock.GetUtcNow() });
        await app.PostEventsAsync(new { id = "login", type = "identify", customerId = "refuser", anonymousId = "cookie-9", occurredAt = app.Clock.GetUtcNow() });
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await app.PostEventsAsync(new { id = "v-after", type = "view", anonymousId = "cookie-9", productId = "p2", occurredAt = app.Clock.GetUtcNow() });

        var ids = (await ArchivedAsync(app)).Select(e => e.Id).ToHashSet();
        Assert.Contains("v-before", ids); // before the login nobody known was linked to the cookie
        Assert.Contains("login", ids);    // a login record
        Assert.DoesNotContain("v-after", ids);
    }

    /// <summary>
    /// Customers who withdrew, objected, turned out to be minors or were erased (their archive then
    /// restored from a backup) are in the archive; the model trained from it equals, neighbour for
    /// neighbour and served list for served list, the model trained on an archive that never held them.
    /// </summary>
    [Fact]
    public async Task Training_LearnsOnlyFromWhatIsPermittedNow_TheSameModelAsWithoutTheOthers()
    {
        Product[] catalog = [new("p1", "One", "a", 10m), new("p2", "Two", "a", 10m), new("p3", "Three", "b", 10m), new("p4", "Four", "b", 10m),
            .. Enumerable.Range(1, 8).Select(i => new Product($"rare-{i}", $"Rare {i}", "r", 10m))];
        async Task<(ItemSimilarityModel Model, List<string> Served)> TrainAsync(bool withOthers)
        {
            await using var app = new TestApp();
            await app.Get<CatalogProvider>().SaveAsync(catalog);
            await app.GrantAnalyticsAsync("ok1", "ok2", "ok3");
            await app.PostEventsAsync(app.View("a1", "ok1", "p1"), app.View("a2", "ok1", "p2"), app.View("b1", "ok2", "p2"), app.View("b2", "ok2", "p3"),
                app.View("c1", "ok3", "p3"), app.View("c2", "ok3", "p4"), app.View("c3", "ok3", "p1"));
            if (withOthers)
            {
                await app.GrantAnalyticsAsync("withdrawn", "objector", "minor", "erased");
                await app.PostEventsAsync(app.View("w1", "withdrawn", "rare-1"), app.View("w2", "withdrawn", "rare-2"), app.View("w3", "withdrawn", "p1"),
                    app.View("o1", "objector", "rare-3"), app.View("o2", "objector", "rare-4"), app.View("o3", "objector", "p2"),
                    app.View("m1", "minor", "rare-5"), app.View("m2", "minor", "rare-6"), app.View("m3", "minor", "p3"),
                    new { id = "e0", type = "identify", customerId = "erased", anonymousId = "erased-cookie", occurredAt = app.Clock.GetUtcNow() },
                    new { id = "e1", type = "view", anonymousId = "erased-cookie", productId = "rare-7", occurredAt = app.Clock.GetUtcNow() },
                    new { id = "e2", type = "view", anonymousId = "erased-cookie", productId = "rare-8", occurredAt = app.Clock.GetUtcNow() },
                    app.View("e3", "erased", "rare-7"), app.View("e4", "erased", "rare-8"));
                var backup = await CopyArchiveAsync(app);
                await app.PostEventsAsync(app.Consent("w-off", "withdrawn", false, "analytics"), Account(app, "m-age", "minor", app.Clock.GetUtcNow().Year - 14));
                Assert.True(await app.Get<ProfilingObjection>().SetAsync("objector", objects: true));
                await app.Get<ErasureService>().StartAsync("erased");
                await app.PumpAsync();
                await RestoreArchiveAsync(app, backup); // a restored backup brings their raw events back into the archive
                Assert.Contains(await ArchivedAsync(app), e => e.Id == "e1");
            }

            app.Clock.Advance(TimeSpan.FromMinutes(1));
            await app.Get<RetrainingService>().RetrainAsync("privacy-at-source");
            await app.PumpAsync();
            using var client = app.CreateClient();
            var served = (await client.GetFromJsonAsync<RecommendationResponse>("/api/recommendations/ok1", Json.Options))!;
            return (await app.Get<ModelStore>().GetCurrentAsync(), served.Items.Select(i => i.ProductId).ToList());
        }

        var with = await TrainAsync(withOthers: true);
        var without = await TrainAsync(withOthers: false);

        foreach (var product in catalog.Select(p => p.Id))
        {
            Assert.Equal(without.Model.NeighborsOf(product).Select(n => (n.ProductId, n.Score)), with.Model.NeighborsOf(product).Select(n => (n.ProductId, n.Score)));
        }

        Assert.Equal(without.Model.CustomerCount, with.Model.CustomerCount);
        Assert.Equal(without.Served, with.Served);
        Assert.Empty(with.Model.NeighborsOf("rare-1"));
        Assert.Empty(with.Model.NeighborsOf("rare-7"));
    }

    private static async Task<List<(string Name, byte[] Content)>> CopyArchiveAsync(TestApp app)
    {
        var blobs = app.Get<IBlobStore>();
        var copy = new List<(string, byte[])>();
        await foreach (var item in blobs.ListAsync(BlobPrefixes.Events))
        {
            copy.Add((item.Name, (await blobs.GetAsync(item.Name))!.Value.Content));
        }

        return copy;
    }

    private static async Task RestoreArchiveAsync(TestApp app, List<(string Name, byte[] Content)> backup)
    {
        foreach (var (name, content) in backup)
        {
            await app.Get<IBlobStore>().PutAsync(name, content, overwrite: true);
        }
    }

    private static JsonElement MergeTime(object e, DateTimeOffset at)
    {
        var node = JsonSerializer.SerializeToNode(e, Json.Options)!.AsObject();
        node["occurredAt"] = at;
        return JsonSerializer.SerializeToElement(node);
    }

    /// <summary>
    /// A batch delivered before the erasure is delivered again after it (an Event Hubs replay), and new
    /// events arrive for the customer and for their linked anonymous id: all are refused with the reason,
    /// kept nowhere — no document, no blob (archive decompressed), no dead letter holds their raw ids.
    /// </summary>
    [Fact]
    public async Task AfterErasure_ARedeliveredBatch_AndLaterEvents_LeaveNoTrace()
    {
        await using var app = new TestApp();
        await app.GrantAnalyticsAsync("stayer");
        await app.PostEventsAsync(new { id = "zz-consent", type = "consent", customerId = "zz-leaver", channel = "analytics", granted = true, policyVersion = "1", source = "signup_form", occurredAt = app.Clock.GetUtcNow() },
            new { id = "zz-login", type = "identify", customerId = "zz-leaver", anonymousId = "zz-cookie", occurredAt = app.Clock.GetUtcNow() });
        object[] batch =
        [
            app.View("zz-view", "zz-leaver", "p1"), Search(app, "zz-search", "zz-leaver", "zz secret query"),
            new { id = "zz-anon-view", type = "view", anonymousId = "zz-cookie", productId = "p2", occurredAt = app.Clock.GetUtcNow() },
            app.View("stayer-view", "stayer", "p1"),
        ];
        Assert.Equal(4, (await IngestAsync(app, batch)).Applied);
        await app.Get<ErasureService>().StartAsync("zz-leaver");
        await app.PumpAsync();
        Assert.DoesNotContain(await ArchivedAsync(app), e => e.Id == "zz-view");

        app.Clock.Advance(TimeSpan.FromMinutes(10));
        var replay = await IngestAsync(app, batch);
        var later = await IngestAsync(app, app.View("zz-late-view", "zz-leaver", "p3"), Search(app, "zz-late-search", "zz-leaver", "zz secret query"),
            new { id = "zz-late-anon", type = "view", anonymousId = "zz-cookie", productId = "p3", occurredAt = app.Clock.GetUtcNow() },
            app.AddToCart("zz-late-cart", "zz-leaver", "p3"));

        Assert.Equal([false, false, false, true], replay.Outcomes.Select(o => o.Accepted));
        Assert.All(replay.Outcomes.Take(3).Concat(later.Outcomes), o => Assert.Equal(ArchiveReasons.Erased, o.Error));
        Assert.Equal(3, replay.NotArchived![ArchiveReasons.Erased]);
        Assert.Equal(4, later.NotArchived![ArchiveReasons.Erased]);
        Assert.Null(await app.Get<ProfileStore>().GetAsync("zz-leaver"));
        Assert.Null(await app.Get<ProfileStore>().GetAsync("anon:zz-cookie"));

        var scanner = new EmbeddedStoreScanner(app.Get<EmbeddedOptions>());
        var leaks = new List<string>();
        await foreach (var record in scanner.ReadAllAsync())
        {
            foreach (var raw in new[] { "zz-leaver", "zz-cookie", "zz secret query", "zz-view", "zz-search", "zz-anon-view", "zz-late" })
            {
                if (record.Text.Contains(raw, StringComparison.Ordinal) || record.Location.Contains(raw, StringComparison.Ordinal))
                {
                    leaks.Add($"{record.Store} {record.Location}: {raw}");
                }
            }
        }

        Assert.True(leaks.Count == 0, string.Join('\n', leaks));
    }

    /// <summary>
    /// The erase-and-scan proof extended to everyone who may not be profiled (issue 14, "Bad input and proof"):
    /// a never-consented customer, a withdrawn one, an objector and a minor send behaviour, searches, tracking
    /// opens and orders, over HTTP and from Event Hubs, before and after an erasure of someone else. The scan
    /// of every document, queue message and blob (archive decompressed) finds none of their behavioural event
    /// ids or search text anywhere, the never-consented customer's id nowhere at all, and the others' ids only
    /// in what the README says is kept: their own profile document (consent, account and objection records)
    /// and the archived consent and account records.
    /// </summary>
    [Fact]
    public async Task EveryoneWhoMayNotBeProfiled_LeavesNoBehaviourInAnyStore_AndOnlyTheirRecordsNameThem()
    {
        await using var app = new TestApp();
        var minorBirthYear = app.Clock.GetUtcNow().Year - 12;
        await app.GrantAnalyticsAsync("stayer", "zq-withdrawn", "zq-objector", "zq-minor");
        await app.PostEventsAsync(app.Consent("zq-rec-withdraw", "zq-withdrawn", false, "analytics"), Account(app, "zq-rec-young", "zq-minor", minorBirthYear));
        Assert.True(await app.Get<ProfilingObjection>().SetAsync("zq-objector", objects: true));
        app.Clock.Advance(TimeSpan.FromMinutes(5));

        object[] Behaviour(string who, string tag) =>
        [
            app.View($"zb-{tag}-view", who, "p1"), Search(app, $"zb-{tag}-search", who, $"zs {tag} secret query"),
            app.AddToCart($"zb-{tag}-cart", who, "p2"),
            new { id = $"zb-{tag}-open", type = "email_open", customerId = who, messageId = "m-1", occurredAt = app.Clock.GetUtcNow() },
            new { id = $"zb-{tag}-wish", type = "wishlist_add", customerId = who, productId = "p3", occurredAt = app.Clock.GetUtcNow() },
        ];

        string[] people = ["zq-never", "zq-withdrawn", "zq-objector", "zq-minor"];
        var http = await app.PostEventsAsync([.. people.SelectMany((who, i) => Behaviour(who, $"h{i}"))]);
        http.EnsureSuccessStatusCode();
        var hub = await IngestAsync(app, [.. people.SelectMany((who, i) => Behaviour(who, $"e{i}")), app.Purchase("zo-never-order", "zq-never", "p1"), app.View("stayer-view", "stayer", "p1")]);
        // An erasure of someone else in between, and the same batch replayed after it.
        await app.Get<ErasureService>().StartAsync("stayer");
        await app.PumpAsync();
        app.Clock.Advance(TimeSpan.FromMinutes(10));
        await IngestAsync(app, [.. people.SelectMany((who, i) => Behaviour(who, $"e{i}")), app.View("stayer-view", "stayer", "p1")]);
        var later = await IngestAsync(app, [.. people.SelectMany((who, i) => Behaviour(who, $"l{i}"))]);

        Assert.Equal(4, hub.NotArchived![ArchiveReasons.NoEmailTracking]);
        Assert.Equal(8, hub.NotArchived![ArchiveReasons.NoAnalyticsConsent]); // never + withdrawn: view, search, cart, wishlist
        Assert.Equal(4, hub.NotArchived![ArchiveReasons.Objection]);
        Assert.Equal(4, hub.NotArchived![ArchiveReasons.PossiblyMinor]);
        Assert.Equal(1, hub.NotArchived![ArchiveReasons.Pseudonymized]);
        Assert.Equal(16, later.NotArchived!.Where(r => r.Key.StartsWith("not archived", StringComparison.Ordinal)).Sum(r => r.Value));
        Assert.Null(await app.Get<ProfileStore>().GetAsync("zq-never"));

        var leaks = new List<string>();
        await foreach (var record in new EmbeddedStoreScanner(app.Get<EmbeddedOptions>()).ReadAllAsync())
        {
            var where = $"{record.Store} {record.Location}";
            foreach (var raw in new[] { "zb-", "zs ", "zq-never" }.Where(r => record.Text.Contains(r, StringComparison.Ordinal) || where.Contains(r, StringComparison.Ordinal)))
            {
                leaks.Add($"{where}: {raw}");
            }

            foreach (var who in people[1..])
            {
                // Their own profile document (and its entry in the customer registry), and the archived consent and
                // account records, hold their id by design.
                var isOwnProfile = record.Store == StoredRecord.Documents
                    && (record.Location.EndsWith($"/{who}/{who}", StringComparison.Ordinal)
                        || (record.Location.StartsWith("customers/shard-", StringComparison.Ordinal) && record.Location.EndsWith($"/{who}", StringComparison.Ordinal)));
                var isRecordArchive = record.Store == StoredRecord.Blobs && record.Location.StartsWith(BlobPrefixes.Events, StringComparison.Ordinal)
                    && record.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => line.Contains(who, StringComparison.Ordinal))
                        .All(line => line.Contains("\"type\":\"consent\"", StringComparison.Ordinal) || line.Contains("\"type\":\"account\"", StringComparison.Ordinal));
                if (!isOwnProfile && !isRecordArchive && (record.Text.Contains(who, StringComparison.Ordinal) || where.Contains(who, StringComparison.Ordinal)))
                {
                    leaks.Add($"{where}: {who}");
                }
            }
        }

        Assert.True(leaks.Count == 0, string.Join('\n', leaks));
    }

    [Fact]
    public async Task Tombstones_HoldOnlyKeyedHashes_StandForTheConfiguredPeriod_ThenLapse()
    {
        await using var app = new TestApp(settings: new Dictionary<string, string>
        {
            ["Recommender:Mode"] = "Embedded",
            ["Recommender:Privacy:TombstoneKey"] = "a-test-tombstone-key-of-32-characters!",
            ["Recommender:Privacy:EventHubsRetention"] = "1.00:00:00",
            ["Recommender:Privacy:TombstoneMargin"] = "2.00:00:00",
        });
        await app.GrantAnalyticsAsync("ts-leaver");
        await app.Get<ErasureService>().StartAsync("ts-leaver");
        await app.PumpAsync();

        var tombstones = new List<string>();
        await foreach (var document in app.Get<IDocumentStore>().ReadPartitionAsync(Collections.Workflows, ErasureTombstones.Partition))
        {
            tombstones.Add(document.Body.GetRawText());
        }

        var text = Assert.Single(tombstones);
        Assert.DoesNotContain("ts-leaver", text, StringComparison.Ordinal);
        Assert.DoesNotContain(ErasureService.HashOf("ts-leaver"), text, StringComparison.Ordinal);
        Assert.Contains(app.Get<ErasureTombstones>().KeyOf("c", "ts-leaver"), text, StringComparison.Ordinal);

        app.Clock.Advance(TimeSpan.FromDays(3) - TimeSpan.FromMinutes(1));
        var refused = await IngestAsync(app, app.View("ts-1", "ts-leaver", "p1"));
        Assert.Equal(ArchiveReasons.Erased, refused.Outcomes[0].Error);

        app.Clock.Advance(TimeSpan.FromMinutes(2)); // the period is over: the tombstone has lapsed
        var accepted = await IngestAsync(app, app.View("ts-2", "ts-leaver", "p1"));
        Assert.True(accepted.Outcomes[0].Accepted);
    }

    [Fact]
    public async Task AMissingOrShortTombstoneKey_StopsTheStart()
    {
        var error = TestApp.StartupError(new Dictionary<string, string>
        {
            ["Recommender:Mode"] = "Embedded",
            ["Recommender:Privacy:TombstoneKey"] = "short",
        });
        Assert.Contains("Recommender:Privacy", error.ToString(), StringComparison.Ordinal);
    }
}
