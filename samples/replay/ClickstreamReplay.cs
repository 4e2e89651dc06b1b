using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Recommender.Domain;
using Recommender.Domain.Catalog;

namespace Recommender.Samples.Replay;

/// <summary>The answer to one batch.</summary>
/// <summary>The answer to one batch. <see cref="Duplicates"/> of the accepted events were applied before (the app says <c>"duplicate": true</c>): they changed nothing.</summary>
public sealed record BatchResult(int Number, int Sent, int Accepted, int Rejected, int Duplicates = 0);

/// <summary>Totals over the whole replay.</summary>
public sealed record ReplaySummary(int Batches, int Sent, int Accepted, int Rejected, int Duplicates = 0);

/// <summary>The app refused a request or could not be reached; the message says which.</summary>
public sealed class ReplayFailedException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>
/// Posts a clickstream to <c>POST /api/events</c> in batches and reads the per-event answer
/// (<c>202 {"accepted", "rejected", "results"}</c>).
/// </summary>
public static class ClickstreamReplay
{
    public const string EventsPath = "api/events";
    public const string CatalogPath = "api/admin/catalog";
    private const int ErrorsShownPerBatch = 3;

    /// <summary>Sends <paramref name="events"/> (JSON bodies, one per event) in batches of <paramref name="batchSize"/>.</summary>
    /// <exception cref="ReplayFailedException">A batch was answered with a non-2xx status, or the app could not be reached.</exception>
    /// <param name="apiKey">A storefront key, sent as <c>X-Api-Key</c> on the event requests only (never on admin routes).</param>
    public static async Task<ReplaySummary> ReplayAsync(Uri baseUrl, IEnumerable<string> events, int batchSize, HttpClient http, TextWriter log,
        string? apiKey = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var endpoint = Resolve(baseUrl, EventsPath);
        var summary = new ReplaySummary(0, 0, 0, 0);
        foreach (var batch in events.Where(e => !string.IsNullOrWhiteSpace(e)).Chunk(batchSize))
        {
            var result = await PostBatchAsync(endpoint, summary.Batches + 1, batch, http, log, apiKey, cancellationToken).ConfigureAwait(false);
            summary = new ReplaySummary(result.Number, summary.Sent + result.Sent, summary.Accepted + result.Accepted, summary.Rejected + result.Rejected,
                summary.Duplicates + result.Duplicates);
        }

        await log.WriteLineAsync($"done: {summary.Batches} batches, {summary.Sent} events, {summary.Accepted} accepted ({summary.Accepted - summary.Duplicates} applied, {summary.Duplicates} duplicates of events applied before), {summary.Rejected} rejected").ConfigureAwait(false);
        return summary;
    }

    /// <summary>Replaces the app's catalog (<c>PUT /api/admin/catalog</c>).</summary>
    public static async Task UploadCatalogAsync(Uri baseUrl, IReadOnlyList<Product> products, HttpClient http, TextWriter log, CancellationToken cancellationToken = default)
    {
        var endpoint = Resolve(baseUrl, CatalogPath);
        using var content = JsonContent.Create(products, options: Json.Options);
        using var response = await SendAsync(() => http.PutAsync(endpoint, content, cancellationToken), endpoint).ConfigureAwait(false);
        await EnsureSuccessAsync(response, $"PUT {endpoint}", cancellationToken).ConfigureAwait(false);
        await log.WriteLineAsync($"catalog: {products.Count} products uploaded").ConfigureAwait(false);
    }

    /// <summary>The lines of a JSON-lines file, read lazily.</summary>
    public static IEnumerable<string> ReadJsonLines(string path) => File.ReadLines(path);

    private static async Task<BatchResult> PostBatchAsync(Uri endpoint, int number, IReadOnlyList<string> batch, HttpClient http, TextWriter log, string? apiKey,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(ToJsonArray(batch), Encoding.UTF8, "application/json") };
        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }

        using var response = await SendAsync(() => http.SendAsync(request, cancellationToken), endpoint).ConfigureAwait(false);
        await EnsureSuccessAsync(response, $"batch {number}: POST {endpoint}", cancellationToken).ConfigureAwait(false);

        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        int accepted, rejected, duplicates = 0;
        var errors = new List<string>();
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            accepted = root.GetProperty("accepted").GetInt32();
            rejected = root.GetProperty("rejected").GetInt32();
            if (root.TryGetProperty("results", out var results) && results.ValueKind == JsonValueKind.Array)
            {
                duplicates = results.EnumerateArray().Count(r => r.TryGetProperty("duplicate", out var d) && d.ValueKind == JsonValueKind.True);
                errors.AddRange(results.EnumerateArray()
                    .Where(r => r.TryGetProperty("accepted", out var a) && a.ValueKind == JsonValueKind.False)
                    .Select(r => $"#{Text(r, "index")}{(r.TryGetProperty("eventId", out var id) ? $" {id}" : "")}: {Text(r, "error")}"));
            }
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new ReplayFailedException($"batch {number}: {(int)response.StatusCode} answer is not the collector's {{accepted, rejected, results}}: {Excerpt(body)}", ex);
        }

        await log.WriteLineAsync($"batch {number}: {batch.Count} sent, {accepted} accepted, {rejected} rejected{(duplicates > 0 ? $" ({duplicates} of the accepted are duplicates of events applied before)" : "")}").ConfigureAwait(false);
        foreach (var error in errors.Take(ErrorsShownPerBatch))
        {
            await log.WriteLineAsync($"  rejected {error}").ConfigureAwait(false);
        }

        if (errors.Count > ErrorsShownPerBatch)
        {
            await log.WriteLineAsync($"  ... and {errors.Count - ErrorsShownPerBatch} more").ConfigureAwait(false);
        }

        return new BatchResult(number, batch.Count, accepted, rejected, duplicates);
    }

    /// <summary>
    /// A JSON array of the events. A line that is not JSON is sent as a JSON string, so the app
    /// refuses that one event rather than the whole batch.
    /// </summary>
    private static string ToJsonArray(IReadOnlyList<string> batch)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var body in batch)
            {
                if (IsJson(body))
                {
                    writer.WriteRawValue(body, skipInputValidation: true);
                }
                else
                {
                    writer.WriteStringValue(body);
                }
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static bool IsJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(Func<Task<HttpResponseMessage>> send, Uri endpoint)
    {
        try
        {
            return await send().ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new ReplayFailedException($"cannot reach {endpoint.GetLeftPart(UriPartial.Authority)}: {ex.Message}", ex);
        }
        catch (TaskCanceledException ex) when (ex.InnerException is TimeoutException)
        {
            throw new ReplayFailedException($"{endpoint} did not answer in time", ex);
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new ReplayFailedException($"{what} answered {(int)response.StatusCode} {response.ReasonPhrase}: {Excerpt(body)}");
        }
    }

    /// <summary><paramref name="relative"/> under the base address, keeping any path the base has.</summary>
    private static Uri Resolve(Uri baseUrl, string relative) =>
        new(baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/"), relative);

    private static string Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) ? value.ToString() : "?";

    private static string Excerpt(string text) => text.Length <= 500 ? text : text[..500] + "...";
}
