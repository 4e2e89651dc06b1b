using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Recommender.Adapters.Tests.Azure;

/// <summary>What <see cref="FaultInjectingHandler"/> does to a matching request.</summary>
public enum HttpFault
{
    /// <summary>Answers 429 with <c>x-ms-retry-after-ms</c> (Cosmos DB) and <c>Retry-After</c>; the request never reaches the server.</summary>
    TooManyRequests,
    /// <summary>Answers 503; the request never reaches the server.</summary>
    ServiceUnavailable,
    /// <summary>The request reaches the server and is applied, then the answer is replaced by 408.</summary>
    TimeoutAfterApplied,
    /// <summary>The connection resets before the request is sent: nothing reaches the server.</summary>
    ResetBeforeSend,
    /// <summary>The request reaches the server and is applied, then the connection resets before the answer arrives.</summary>
    ResetAfterApplied,
    /// <summary>The request reaches the server and is applied, then the answer is replaced by 503.</summary>
    ServiceUnavailableAfterApplied,
}

/// <summary>
/// A <see cref="DelegatingHandler"/> between an Azure SDK client and the stand-ins that injects
/// <see cref="HttpFault"/>s into the requests a rule matches, a chosen number of times, and counts what
/// it forwarded. Faults "after applied" forward the request first, so the server state changes while
/// the client sees a failure — the case that makes a naive retry apply a write twice.
/// </summary>
public sealed class FaultInjectingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private readonly ConcurrentQueue<Rule> _rules = new();

    /// <summary>Requests forwarded to the server (method and path), faults included.</summary>
    public ConcurrentQueue<string> Forwarded { get; } = new();

    /// <summary>Faults injected so far.</summary>
    public int Injected => _injected;

    private int _injected;

    /// <summary>Injects <paramref name="fault"/> into the next <paramref name="times"/> requests matching <paramref name="match"/>.</summary>
    public FaultInjectingHandler Inject(Func<HttpRequestMessage, bool> match, HttpFault fault, int times = 1, int retryAfterMs = 5)
    {
        _rules.Enqueue(new Rule(match, fault, times, retryAfterMs));
        return this;
    }

    /// <summary>Removes every rule.</summary>
    public void Clear() => _rules.Clear();

    /// <summary>Cosmos DB document requests (not account or metadata reads) with <paramref name="method"/>.</summary>
    public static Func<HttpRequestMessage, bool> CosmosDocuments(HttpMethod method, Func<HttpRequestMessage, bool>? and = null) =>
        r => r.Method == method && r.RequestUri!.AbsolutePath.Contains("/docs", StringComparison.Ordinal) && (and?.Invoke(r) ?? true);

    /// <summary>Cosmos DB queries.</summary>
    public static bool IsQuery(HttpRequestMessage request) =>
        request.Headers.TryGetValues("x-ms-documentdb-isquery", out var values) && values.Any(v => v.Equals("true", StringComparison.OrdinalIgnoreCase));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var fault = Take(request);
        if (fault is null)
        {
            return await Forward(request, cancellationToken);
        }

        Interlocked.Increment(ref _injected);
        switch (fault.Value.Fault)
        {
            case HttpFault.TooManyRequests:
                return Failure(request, (HttpStatusCode)429, fault.Value.RetryAfterMs);
            case HttpFault.ServiceUnavailable:
                return Failure(request, HttpStatusCode.ServiceUnavailable, null);
            case HttpFault.ResetBeforeSend:
                throw new HttpRequestException(HttpRequestError.ConnectionError, "injected: connection reset by peer", new IOException("Connection reset by peer"));
        }

        using (var applied = await Forward(request, cancellationToken))
        {
            await applied.Content.LoadIntoBufferAsync(cancellationToken);
        }

        return fault.Value.Fault switch
        {
            HttpFault.TimeoutAfterApplied => Failure(request, HttpStatusCode.RequestTimeout, null),
            HttpFault.ServiceUnavailableAfterApplied => Failure(request, HttpStatusCode.ServiceUnavailable, null),
            _ => throw new HttpRequestException(HttpRequestError.ResponseEnded, "injected: connection reset after the request was sent", new IOException("Connection reset by peer")),
        };
    }

    private Task<HttpResponseMessage> Forward(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Forwarded.Enqueue($"{request.Method} {request.RequestUri!.AbsolutePath}");
        return base.SendAsync(request, cancellationToken);
    }

    private (HttpFault Fault, int RetryAfterMs)? Take(HttpRequestMessage request)
    {
        foreach (var rule in _rules)
        {
            if (rule.Match(request) && rule.TryTake())
            {
                return (rule.Fault, rule.RetryAfterMs);
            }
        }

        return null;
    }

    private static HttpResponseMessage Failure(HttpRequestMessage request, HttpStatusCode status, int? retryAfterMs)
    {
        // Storage (Azurite's ports) answers errors in XML with x-ms-error-code; Cosmos DB in JSON.
        var storage = request.RequestUri!.Port is >= 10000 and <= 10002;
        var response = new HttpResponseMessage(status)
        {
            RequestMessage = request,
            Content = storage
                ? new StringContent($"<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{status}</Code><Message>injected {(int)status}</Message></Error>", Encoding.UTF8, "application/xml")
                : new StringContent($$"""{"code":"{{status}}","message":"injected {{(int)status}}"}""", Encoding.UTF8, "application/json"),
        };
        if (storage)
        {
            response.Headers.TryAddWithoutValidation("x-ms-error-code", status.ToString());
        }

        response.Headers.TryAddWithoutValidation("x-ms-activity-id", Guid.NewGuid().ToString());
        response.Headers.TryAddWithoutValidation("x-ms-request-charge", "1");
        if (retryAfterMs is { } ms)
        {
            response.Headers.TryAddWithoutValidation("x-ms-retry-after-ms", ms.ToString(System.Globalization.CultureInfo.InvariantCulture));
            response.Headers.TryAddWithoutValidation("x-ms-substatus", "3200");
            response.Headers.TryAddWithoutValidation("Retry-After", "0");
        }

        return response;
    }

    private sealed class Rule(Func<HttpRequestMessage, bool> match, HttpFault fault, int times, int retryAfterMs)
    {
        private int _left = times;

        public Func<HttpRequestMessage, bool> Match { get; } = match;

        public HttpFault Fault { get; } = fault;

        public int RetryAfterMs { get; } = retryAfterMs;

        public bool TryTake()
        {
            while (true)
            {
                var left = Volatile.Read(ref _left);
                if (left <= 0)
                {
                    return false;
                }

                if (Interlocked.CompareExchange(ref _left, left - 1, left) == left)
                {
                    return true;
                }
            }
        }
    }
}
