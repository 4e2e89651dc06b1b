using System.Globalization;
using System.Net;
using System.Text;

namespace Recommender.Functions.Tests.Faults;

/// <summary>
/// Between a Cosmos DB client and the stand-in: while <see cref="Storm"/> is on, every document request
/// (reads, queries and writes; not account or metadata requests) is answered 429 with
/// <c>x-ms-retry-after-ms: 5</c> without reaching the server, and counted in <see cref="Throttled"/>.
/// </summary>
public sealed class CosmosThrottlingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private int _throttled;

    public bool Storm { get; set; }

    /// <summary>Requests answered 429 so far.</summary>
    public int Throttled => Volatile.Read(ref _throttled);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!Storm || !request.RequestUri!.AbsolutePath.Contains("/docs", StringComparison.Ordinal))
        {
            return base.SendAsync(request, cancellationToken);
        }

        Interlocked.Increment(ref _throttled);
        var response = new HttpResponseMessage((HttpStatusCode)429)
        {
            RequestMessage = request,
            Content = new StringContent("""{"code":"TooManyRequests","message":"injected 429"}""", Encoding.UTF8, "application/json"),
        };
        response.Headers.TryAddWithoutValidation("x-ms-activity-id", Guid.NewGuid().ToString());
        response.Headers.TryAddWithoutValidation("x-ms-request-charge", "1");
        response.Headers.TryAddWithoutValidation("x-ms-retry-after-ms", 5.ToString(CultureInfo.InvariantCulture));
        response.Headers.TryAddWithoutValidation("x-ms-substatus", "3200");
        return Task.FromResult(response);
    }
}
