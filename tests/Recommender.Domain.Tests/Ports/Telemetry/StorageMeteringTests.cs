using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Recommender.Domain.Catalog;
using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;
using Recommender.Domain.Ports.Telemetry;

namespace Recommender.Domain.Tests.Telemetry;

public class StorageMeteringTests
{
    private static readonly JsonElement Body = JsonDocument.Parse("""{"n":1}""").RootElement;

    [Fact]
    public async Task EveryCallThatReachesTheStore_IsCountedOnce_WithItsOperationAndCollection()
    {
        using var listener = new StorageCallsListener();
        var inner = new RecordingDocumentStore();
        IDocumentStore store = new MeteredDocumentStore(inner);

        await store.UpsertAsync("items", "p", "a", Body);
        var read = await store.ReadAsync("items", "p", "a");
        await store.ReplaceAsync("items", "p", "a", Body, read!.ETag);
        await store.ReadAsync("items", "p", "missing");
        await store.IncrementAsync("items", "p", "a", new Dictionary<string, double> { ["n"] = 1 });
        await store.DeleteAsync("items", "p", "a");

        Assert.Equal(inner.Calls, listener.Operations(StorageMetering.Ports.Documents));
        Assert.Equal(["upsert", "read", "replace", "read", "increment", "delete"], inner.Calls);
        Assert.All(listener.Measurements, m => Assert.Equal("items", m[RecommenderTelemetry.Tags.Collection]));
    }

    [Fact]
    public async Task APartitionRead_CountsOneCall_WhenEnumerated_WhateverItHolds()
    {
        using var listener = new StorageCallsListener();
        IDocumentStore inner = new RecordingDocumentStore();
        IDocumentStore store = new MeteredDocumentStore(inner);
        await inner.UpsertAsync("items", "p", "a", Body);
        await inner.UpsertAsync("items", "p", "b", Body);

        var partition = store.ReadPartitionAsync("items", "p");
        Assert.Empty(listener.Measurements); // not enumerated: no call made yet
        var documents = new List<StoredDocument>();
        await foreach (var document in partition)
        {
            documents.Add(document);
        }

        Assert.Equal(2, documents.Count);
        Assert.Equal(["read-partition"], listener.Operations(StorageMetering.Ports.Documents));
    }

    [Fact]
    public async Task ACacheAboveThePort_AnswersWithoutACall_SoNothingIsCounted()
    {
        using var listener = new StorageCallsListener();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        var blobs = new RecordingBlobStore();
        var catalog = new CatalogProvider(new MeteredBlobStore(blobs), clock);
        await catalog.SaveAsync([new Product("p1", "One", "shoes", 10m)]);

        await catalog.GetAsync(); // reads the snapshot
        await catalog.GetAsync(); // the cached snapshot: no call
        await catalog.GetAsync();
        Assert.Equal(["put", "get"], listener.Operations(StorageMetering.Ports.Blobs));

        clock.Advance(CatalogProvider.RefreshInterval);
        await catalog.GetAsync(); // stale: read again
        Assert.Equal(["put", "get", "get"], listener.Operations(StorageMetering.Ports.Blobs));
        Assert.Equal(blobs.Calls, listener.Operations(StorageMetering.Ports.Blobs));
    }

    [Fact]
    public async Task ATally_CountsItsOwnFlowsCalls_NotThoseOfWorkRunningBesideIt()
    {
        IDocumentStore store = new MeteredDocumentStore(new RecordingDocumentStore());
        using var started = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);

        async Task<long> WorkAsync(int calls)
        {
            using var tally = StorageCallTally.Start();
            started.Release();
            await release.WaitAsync();
            await Task.WhenAll(Enumerable.Range(0, calls).Select(i => Task.Run(() => store.ReadAsync("items", "p", $"d{i}"))));
            using (var nested = StorageCallTally.Start())
            {
                await store.UpsertAsync("items", "p", "x", Body);
                Assert.Equal(1, nested.Calls);
            }

            return tally.Calls;
        }

        var three = WorkAsync(3);
        var five = WorkAsync(5);
        await started.WaitAsync();
        await started.WaitAsync();
        release.Release(2);
        await store.ReadAsync("items", "p", "outside"); // no tally on this flow

        Assert.Equal(4, await three); // its 3 reads and the nested upsert
        Assert.Equal(6, await five);
    }

    [Fact]
    public async Task AddStorageMetering_WrapsTheRegisteredPorts_KeepsTheStoreCapabilities_AndDisposesWhatTheContainerMade()
    {
        var inner = new RecordingDocumentStore();
        var services = new ServiceCollection();
        services.AddSingleton<IDocumentStore>(_ => inner);
        services.AddSingleton<IBlobStore>(new RecordingBlobStore());
        services.AddStorageMetering();
        services.AddStorageMetering(); // once is enough: not wrapped twice

        var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<IDocumentStore>();
        var metered = Assert.IsType<MeteredDocumentStore>(store);
        Assert.Same(inner, metered.Inner);
        Assert.Same(provider.GetRequiredService<IBlobStore>(), provider.GetRequiredService<IBlobStore>());
        Assert.IsType<RecordingBlobStore>(Assert.IsType<MeteredBlobStore>(provider.GetRequiredService<IBlobStore>()).Inner);
        Assert.Null(provider.GetService<IWorkQueue>()); // not registered: left alone

        // Without the capability underneath, a shared read is a plain read and a parse, as callers do without it.
        using var listener = new StorageCallsListener();
        await store.PutSharedAsync("items", "p", "a", new Counter { N = 2 });
        var shared = await store.GetSharedAsync<Counter>("items", "p", "a");
        Assert.Equal(2, shared!.N);
        Assert.Equal(["upsert", "read"], inner.Calls);
        Assert.Equal(inner.Calls, listener.Operations(StorageMetering.Ports.Documents));
        Assert.Equal(0, await ((IExpiringDocumentStore)store).PurgeExpiredAsync());

        await provider.DisposeAsync();
        Assert.True(inner.Disposed);
    }

    private sealed class Counter
    {
        public int N { get; set; }
    }
}
