using System.Buffers;
using System.IO.Pipelines;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using Recommender.Domain.Recommendations;

namespace Recommender.Functions.Endpoints;

/// <summary>
/// The 200 answer of <c>GET /api/recommendations/{customerId}</c>: what <c>TypedResults.Ok</c>
/// sent (same status, <c>Content-Type</c>, bytes and OpenAPI description), written by
/// <see cref="RecommendationJson"/> instead of the reflection-based serializer, into a buffer
/// reused per thread, and with a <c>Content-Length</c> instead of a chunked body. Everything that
/// touches the per-thread buffer runs synchronously, before the only await (the flush), so no
/// other request on the thread can see or overwrite it.
/// </summary>
public sealed class RecommendationJsonResult(RecommendationResponse value)
    : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<RecommendationResponse>, IContentTypeHttpResult
{
    /// <summary>Exactly what <c>TypedResults.Ok</c> (<c>WriteAsJsonAsync</c>) sets.</summary>
    public const string JsonContentType = "application/json; charset=utf-8";
    private const int InitialBufferBytes = 16 * 1024;
    /// <summary>A thread keeps a buffer up to this size; one grown by an unusually large answer is let go.</summary>
    private const int MaxRetainedBufferBytes = 256 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _buffer;
    [ThreadStatic]
    private static Utf8JsonWriter? _writer;
    [ThreadStatic]
    private static JsonSerializerOptions? _writerOptionsOf;

    public RecommendationResponse Value { get; } = value ?? throw new ArgumentNullException(nameof(value));

    object? IValueHttpResult.Value => Value;

    public int StatusCode => StatusCodes.Status200OK;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public string ContentType => JsonContentType;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var options = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        response.ContentType = JsonContentType;
        var body = response.BodyWriter;
        WriteBuffered(Value, options, httpContext.RequestServices.GetService<RenderedItems>(), response, body);
        var flush = body.FlushAsync(httpContext.RequestAborted);
        if (flush.IsCompletedSuccessfully)
        {
            _ = flush.Result;
            return Task.CompletedTask;
        }

        return AwaitFlushAsync(flush, httpContext.RequestAborted);
    }

    /// <summary>Serializes into this thread's buffer, sets the length and copies the bytes into the body pipe (which keeps its own copy).</summary>
    private static void WriteBuffered(RecommendationResponse value, JsonSerializerOptions options, RenderedItems? renderedItems, HttpResponse response, PipeWriter body)
    {
        var buffer = _buffer ??= new ArrayBufferWriter<byte>(InitialBufferBytes);
        var writer = _writer;
        if (writer is null || !ReferenceEquals(_writerOptionsOf, options))
        {
            writer = _writer = new Utf8JsonWriter(buffer, RecommendationJson.WriterOptions(options));
            _writerOptionsOf = options;
        }
        else
        {
            writer.Reset(buffer);
        }

        try
        {
            RecommendationJson.Write(writer, value, buffer, renderedItems); // a kept answer's items copied when they were written before
            writer.Flush();
            response.ContentLength = buffer.WrittenCount;
            body.Write(buffer.WrittenSpan);
        }
        finally
        {
            buffer.ResetWrittenCount();
            if (buffer.Capacity > MaxRetainedBufferBytes)
            {
                _buffer = null;
                _writer = null;
                _writerOptionsOf = null;
            }
        }
    }

    private static async Task AwaitFlushAsync(ValueTask<FlushResult> flush, CancellationToken requestAborted)
    {
        try
        {
            await flush.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (requestAborted.IsCancellationRequested)
        {
            // The client went away, as WriteAsJsonAsync: nothing left to answer.
        }
    }

    /// <summary>Describes the 200 response as <c>TypedResults.Ok&lt;RecommendationResponse&gt;</c> does, so the OpenAPI document is unchanged.</summary>
    static void IEndpointMetadataProvider.PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(RecommendationResponse), ["application/json"]));
    }
}
