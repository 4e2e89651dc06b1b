using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Recommender.Adapters.Embedded;
using Recommender.Domain.Ports;

namespace Recommender.Adapters.Tests.Embedded;

public sealed class EmbeddedServiceCollectionExtensionsTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task AddEmbeddedAdapters_RegistersWorkingSingletons_InTheDataDirectory()
    {
        var dataDirectory = Path.Combine(_directory.Path, "data");
        await using var provider = new ServiceCollection().AddEmbeddedAdapters(dataDirectory).BuildServiceProvider();

        var documents = provider.GetRequiredService<IDocumentStore>();
        var blobs = provider.GetRequiredService<IBlobStore>();
        var queue = provider.GetRequiredService<IWorkQueue>();
        Assert.Same(documents, provider.GetRequiredService<IDocumentStore>());
        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());

        await documents.CreateAsync("c", "p", "id", Json.Counter(1));
        await blobs.PutAsync("x/y.txt", new byte[] { 1 });
        await queue.SendAsync("q", "m");

        Assert.True(File.Exists(Path.Combine(dataDirectory, "recommender.db")));
        Assert.True(File.Exists(Path.Combine(dataDirectory, "blobs", "x", "y.txt")));
        Assert.Equal("m", Assert.Single(await queue.ReceiveAsync("q", 1, TimeSpan.FromMinutes(1))).Body);
    }

    [Fact]
    public async Task AddEmbeddedAdapters_KeepsARegisteredTimeProvider()
    {
        var time = new FakeTimeProvider();
        var services = new ServiceCollection().AddSingleton<TimeProvider>(time);
        await using var provider = services.AddEmbeddedAdapters(_directory.Path).BuildServiceProvider();

        var queue = provider.GetRequiredService<IWorkQueue>();
        await queue.SendAsync("q", "later", TimeSpan.FromHours(1));

        Assert.Empty(await queue.ReceiveAsync("q", 1, TimeSpan.FromMinutes(1)));
        time.Advance(TimeSpan.FromHours(1));
        Assert.Single(await queue.ReceiveAsync("q", 1, TimeSpan.FromMinutes(1)));
    }
}
