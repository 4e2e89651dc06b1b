using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Recommender.Domain.Ports;
using Recommender.Domain.Ports.Storage;
using Recommender.Domain.Training;
using Recommender.Domain.Workflows;

namespace Recommender.Functions.Tests;

/// <summary>Liveness answers as it always has; readiness runs the store and queue checks and says which failed.</summary>
public sealed class HealthTests
{
    [Fact]
    public async Task Liveness_AnswersOk_WithoutCheckingAnything()
    {
        await using var app = new TestApp { TestServices = s => s.AddSingleton<IWorkQueue>(new UnreachableQueue()) };
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/api/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", (await TestApp.ReadJsonAsync(response)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Readiness_WhenTheStoresAndQueuesAnswer_Is200_WithEachCheck_AndTheQueueBacklog()
    {
        await using var app = new TestApp();
        using var client = app.CreateClient();
        await app.Get<IWorkQueue>().SendAsync(TrainingWorkflow.Queue, "{}", TimeSpan.FromHours(1));

        using var response = await client.GetAsync("/api/health/ready");
        var body = await TestApp.ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ready", body.GetProperty("status").GetString());
        var checks = body.GetProperty("checks");
        Assert.Equal(["blobs", "documents", "queues"], checks.EnumerateObject().Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.All(checks.EnumerateObject(), c => Assert.Equal("healthy", c.Value.GetProperty("status").GetString()));
        var backlog = checks.GetProperty("queues").GetProperty("data");
        Assert.Equal(1, backlog.GetProperty(TrainingWorkflow.Queue).GetInt64());
        Assert.Equal(0, backlog.GetProperty(CartAbandonmentWorkflow.Queue).GetInt64());
    }

    [Fact]
    public async Task Readiness_WhenTheQueueServiceIsUnreachable_Is503_NamingTheCheck_NotTheError()
    {
        await using var app = new TestApp { TestServices = s => s.AddSingleton<IWorkQueue>(new UnreachableQueue()) };
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/api/health/ready");
        var body = await TestApp.ReadJsonAsync(response);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("not-ready", body.GetProperty("status").GetString());
        var queues = body.GetProperty("checks").GetProperty("queues");
        Assert.Equal("unhealthy", queues.GetProperty("status").GetString());
        Assert.Equal("queue unreachable (HttpRequestException)", queues.GetProperty("description").GetString());
        Assert.DoesNotContain("secret-host", body.GetRawText(), StringComparison.Ordinal);
        Assert.Equal("healthy", body.GetProperty("checks").GetProperty("documents").GetProperty("status").GetString());
    }

    private sealed class UnreachableQueue : IWorkQueue
    {
        private static HttpRequestException Down() => new("No such host is known (secret-host.queue.core.windows.net)");

        public Task SendAsync(string queue, string body, TimeSpan delay = default, CancellationToken cancellationToken = default) => throw Down();

        public Task<IReadOnlyList<QueueMessage>> ReceiveAsync(string queue, int maxMessages, TimeSpan lease, CancellationToken cancellationToken = default) => throw Down();

        public Task DeleteAsync(QueueMessage message, CancellationToken cancellationToken = default) => throw Down();

        public Task<long> ApproximateCountAsync(string queue, CancellationToken cancellationToken = default) => throw Down();
    }
}
