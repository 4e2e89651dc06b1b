using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Recommender.Adapters.Http;
using Recommender.Domain.Webhooks;

namespace Recommender.Adapters.Tests.Http;

/// <summary>
/// The HTTP webhook transport, through the domain's <see cref="WebhookSender"/> as the app composes
/// them. Providers that hang, answer slowly or answer 2xx with a broken body. Time is a
/// <see cref="FakeTimeProvider"/>: nothing here waits for real; a provider that "never answers" is a
/// handler awaiting cancellation.
/// </summary>
public sealed class HttpWebhookTransportFaultTests
{
    private const string Secret = "a-signing-secret-of-some-length";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 1, 9, 0, 0, TimeSpan.Zero));

    private WebhookSender Sender(HttpMessageHandler provider, TimeSpan? timeout = null)
    {
        var options = new WebhookOptions { Email = new ProviderOptions { Url = "https://mail.example.com/hook", Secret = Secret } };
        if (timeout is { } t)
        {
            options.Timeout = t;
        }

        var transport = new HttpWebhookTransport(new HttpClient(provider) { Timeout = Timeout.InfiniteTimeSpan }, Options.Create(options), _time);
        return new WebhookSender(transport, Options.Create(options));
    }

    [Fact]
    public async Task HangingProvider_IsAbandonedAtTheTimeout_AsTransient_AndTheRequestIsCancelled()
    {
        var provider = new ScriptedProvider(_time, _ => ProviderBehaviour.Hang);
        var send = Sender(provider).SendAsync("email", "m1", "{}");
        await provider.Entered.WaitAsync(TimeSpan.FromMinutes(1)); // a guard against a hung test, not a timing assertion

        _time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.False(send.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(0.1));
        var result = await send.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(DeliveryOutcome.Transient, result.Outcome);
        Assert.Null(result.StatusCode);
        Assert.Equal("provider did not answer within 10 s", result.Detail);
        Assert.Equal(1, provider.Cancelled);
    }

    [Fact]
    public async Task ManyHangingProviders_HoldNoThread_AndAllEndAtTheTimeout()
    {
        // 200 POSTs pending at once: each is an asynchronous wait, so the thread pool is not exhausted
        // (work still runs), and one step of the clock ends them all.
        var provider = new ScriptedProvider(_time, _ => ProviderBehaviour.Hang);
        var sender = Sender(provider, TimeSpan.FromSeconds(5));
        var sends = Enumerable.Range(0, 200).Select(i => sender.SendAsync("email", $"m{i}", "{}")).ToList();
        while (provider.Requests.Count < 200)
        {
            await provider.Entered.WaitAsync(TimeSpan.FromMinutes(1));
            await Task.Yield();
        }

        Assert.Equal(42, await Task.Run(() => 42).WaitAsync(TimeSpan.FromMinutes(1)));
        Assert.All(sends, s => Assert.False(s.IsCompleted));
        _time.Advance(TimeSpan.FromSeconds(5));
        var results = await Task.WhenAll(sends).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.All(results, r => Assert.Equal(DeliveryOutcome.Transient, r.Outcome));
        Assert.Equal(200, provider.Cancelled);
    }

    [Fact]
    public async Task SlowProvider_WithinTheTimeout_IsDelivered()
    {
        var provider = new ScriptedProvider(_time, _ => ProviderBehaviour.AnswerAfter(TimeSpan.FromSeconds(8), HttpStatusCode.Accepted));
        var send = Sender(provider).SendAsync("email", "m1", "{}");
        await provider.Entered.WaitAsync(TimeSpan.FromMinutes(1));

        _time.Advance(TimeSpan.FromSeconds(8));
        var result = await send.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(DeliveryOutcome.Delivered, result.Outcome);
        Assert.Equal(202, result.StatusCode);
    }

    [Fact]
    public async Task SlowProvider_PastTheConfiguredTimeout_IsTransient_ThenTheRetryCarriesTheSameIdempotencyKey()
    {
        var attempts = 0;
        var provider = new ScriptedProvider(_time, _ => Interlocked.Increment(ref attempts) == 1
            ? ProviderBehaviour.AnswerAfter(TimeSpan.FromSeconds(30), HttpStatusCode.OK)
            : ProviderBehaviour.AnswerAfter(TimeSpan.Zero, HttpStatusCode.OK));
        var sender = Sender(provider, TimeSpan.FromSeconds(3));

        var first = sender.SendAsync("email", "order-42-reminder", """{"n":1}""");
        await provider.Entered.WaitAsync(TimeSpan.FromMinutes(1));
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(DeliveryOutcome.Transient, (await first.WaitAsync(TimeSpan.FromMinutes(1))).Outcome);
        var second = await sender.SendAsync("email", "order-42-reminder", """{"n":1}""").WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(second.IsDelivered);
        Assert.Equal(["order-42-reminder", "order-42-reminder"], provider.Requests.Select(r => r.IdempotencyKey));
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("")]
    [InlineData("<html>oops</html>")]
    public async Task Provider2xxWithAMalformedBody_IsDelivered_OnceAndAtOnce(string body)
    {
        var provider = new ScriptedProvider(_time, _ => ProviderBehaviour.AnswerWithBody(body));

        var result = await Sender(provider).SendAsync("email", "m1", "{}").WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(result.IsDelivered);
        Assert.Single(provider.Requests);
    }

    [Fact]
    public async Task Provider2xxWhoseBodyNeverEnds_IsDelivered_WithoutReadingIt()
    {
        var provider = new ScriptedProvider(_time, _ => ProviderBehaviour.AnswerWithEndlessBody);

        var result = await Sender(provider).SendAsync("email", "m1", "{}").WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(result.IsDelivered);
        Assert.Single(provider.Requests);
    }

    [Fact]
    public async Task CallerCancellation_IsNotReportedAsAProviderTimeout()
    {
        var provider = new ScriptedProvider(_time, _ => ProviderBehaviour.Hang);
        using var stop = new CancellationTokenSource();
        var send = Sender(provider).SendAsync("email", "m1", "{}", stop.Token);
        await provider.Entered.WaitAsync(TimeSpan.FromMinutes(1));

        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send.WaitAsync(TimeSpan.FromMinutes(1)));
    }

    private sealed record ProviderBehaviour(TimeSpan? Delay, HttpStatusCode Status, string? Body = null, bool Endless = false)
    {
        public static ProviderBehaviour Hang { get; } = new(null, HttpStatusCode.OK);

        public static ProviderBehaviour AnswerWithEndlessBody { get; } = new(TimeSpan.Zero, HttpStatusCode.OK, Endless: true);

        public static ProviderBehaviour AnswerAfter(TimeSpan delay, HttpStatusCode status) => new(delay, status);

        public static ProviderBehaviour AnswerWithBody(string body) => new(TimeSpan.Zero, HttpStatusCode.OK, body);
    }

    private sealed record SeenRequest(string? IdempotencyKey);

    /// <summary>A provider on the fake clock: hangs until cancelled, or answers after a delay of that clock.</summary>
    private sealed class ScriptedProvider(TimeProvider clock, Func<int, ProviderBehaviour> script) : HttpMessageHandler
    {
        private readonly SemaphoreSlim _entered = new(0);
        private int _cancelled;

        public ConcurrentQueue<SeenRequest> Requests { get; } = new();

        public int Cancelled => Volatile.Read(ref _cancelled);

        /// <summary>Completes when one more request has arrived.</summary>
        public Task Entered => _entered.WaitAsync();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var behaviour = script(Requests.Count);
            Requests.Enqueue(new SeenRequest(request.Headers.TryGetValues(WebhookSignature.IdempotencyHeader, out var keys) ? keys.Single() : null));
            _entered.Release();
            try
            {
                if (behaviour.Delay is not { } delay)
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                else if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, clock, cancellationToken);
                }
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref _cancelled);
                throw;
            }

            return new HttpResponseMessage(behaviour.Status)
            {
                Content = behaviour.Endless ? new StreamContent(new EndlessStream()) : new StringContent(behaviour.Body ?? "", Encoding.UTF8, "application/json"),
            };
        }
    }

    /// <summary>A body that never ends: every read waits forever (until cancelled).</summary>
    private sealed class EndlessStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new InvalidOperationException("the body must not be read");
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
