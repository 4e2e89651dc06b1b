namespace Recommender.Functions.Tests;

/// <summary>
/// A test class's app and its real webhook receiver, sharing the fake clock that starts at 09:00 UTC
/// the next day (whole days later it is still outside quiet hours); <see cref="SetUpAsync"/> seeds each test.
/// </summary>
public abstract class ReceiverAppTest : IAsyncLifetime
{
    protected WebhookReceiver Receiver { get; private set; } = null!;
    protected TestApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Receiver = await WebhookReceiver.StartAsync();
        App = new TestApp(Receiver.Url);
        DeliveryTests.StartAtMorning(App);
        Receiver.Clock = App.Clock.GetUtcNow;
        await SetUpAsync();
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Receiver.DisposeAsync();
    }

    protected abstract Task SetUpAsync();

    protected async Task PostAsync(params object[] events) => (await App.PostEventsAsync(events)).EnsureSuccessStatusCode();
}
