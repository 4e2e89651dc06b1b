using Microsoft.Extensions.DependencyInjection;
using Recommender.Adapters.Tests.Contracts;
using Recommender.Domain.Ports;

namespace Recommender.Adapters.Tests.Azure;

/// <summary>
/// The queue contract against Azurite, which keeps real time: delays and leases are short real
/// waits (the service's visibility granularity is one second).
/// </summary>
public sealed class StorageQueueWorkQueueTests : WorkQueueContract
{
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(300);

    private AzureTestEnvironment? _environment;

    protected override string QueueName => _environment?.QueueName ?? throw new InvalidOperationException("Not initialized.");

    protected override TimeSpan Delay => TimeSpan.FromSeconds(2);

    protected override TimeSpan Lease => TimeSpan.FromSeconds(1);

    protected override async Task<IWorkQueue> CreateQueueAsync()
    {
        _environment = await AzureTestEnvironment.CreateAsync();
        return _environment.Services.GetRequiredService<IWorkQueue>();
    }

    protected override Task ElapseAsync(TimeSpan duration) => Task.Delay(duration + Margin);

    protected override async Task DisposeQueueAsync()
    {
        if (_environment is not null)
        {
            await _environment.DisposeAsync();
        }
    }
}
