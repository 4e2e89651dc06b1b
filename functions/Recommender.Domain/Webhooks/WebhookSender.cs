using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;

namespace Recommender.Domain.Webhooks;

/// <summary>The provider refused or failed a delivery; the caller's retry policy decides what next.</summary>
public sealed class WebhookDeliveryException : Exception
{
    public WebhookDeliveryException() { }
    public WebhookDeliveryException(string message) : base(message) { }
    public WebhookDeliveryException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>Posts signed JSON messages to a provider (see <see cref="WebhookSignature"/>).</summary>
public sealed class WebhookSender(HttpClient httpClient, IOptions<WebhookOptions> options, TimeProvider timeProvider)
{
    public bool IsConfigured(string channel) => Provider(channel)?.IsConfigured == true;

    /// <summary>Sends <paramref name="body"/>; throws <see cref="WebhookDeliveryException"/> on a non-2xx answer or transport failure.</summary>
    public async Task SendAsync(string channel, string idempotencyKey, string body, CancellationToken cancellationToken = default)
    {
        var provider = Provider(channel) is { IsConfigured: true } p ? p : throw new InvalidOperationException($"no provider configured for channel '{channel}'");
        var timestamp = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, provider.Url)
        {
            Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(provider.Secret!, timestamp, body));
        request.Headers.Add(WebhookSignature.IdempotencyHeader, idempotencyKey);
        try
        {
            using var response = await httpClient.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new WebhookDeliveryException($"provider answered {(int)response.StatusCode} for message {idempotencyKey}");
            }
        }
        catch (HttpRequestException ex)
        {
            throw new WebhookDeliveryException($"provider unreachable for message {idempotencyKey}: {ex.Message}", ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new WebhookDeliveryException($"provider timed out for message {idempotencyKey}", ex);
        }
    }

    private ProviderOptions? Provider(string channel) => channel switch
    {
        "email" => options.Value.Email,
        _ => null,
    };
}
