using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Recommender.Domain.Recommendations;
using Recommender.Functions.Endpoints;

namespace Recommender.Benchmarks;

/// <summary>
/// <c>serve --writers N</c>: the JSON writers a recommendation answer could go through, on one
/// typical answer (a customer's home list of 10 items from the cache), each into the same reused
/// <see cref="Utf8JsonWriter"/> with the app's HTTP writer options: the hand-written
/// <see cref="RecommendationJson"/> (items from the fragments answers repeat, and property by property), the System.Text.Json source generator (its fast path, and its metadata under the app's
/// options, which are not compatible with the fast path: they have a converter and an encoder) and
/// the reflection-based serializer. Rounds alternate the writers so that other load weighs on all
/// alike; the table gives the median of the rounds, process CPU time and bytes allocated per answer,
/// and whether each writer's bytes equal the serializer's.
/// </summary>
public static class ServeJsonWriters
{
    private const int Rounds = 11;

    public static async Task RunAsync(IServiceProvider services, int iterations, TextWriter output, CancellationToken cancellationToken)
    {
        var recommendations = services.GetRequiredService<RecommendationService>();
        var http = services.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var request = new RecommendationRequest($"{ServeBenchmark.CustomerPrefix}000001", Placement.Home, 10);
        var first = await recommendations.GetAsync(request, cancellationToken);
        if (first.Items.Count != 10)
        {
            output.WriteLine($"expected an answer of 10 items; got {first.Items.Count}");
            return;
        }

        var metadataWithAppOptions = new JsonSerializerOptions(http) { TypeInfoResolver = RecommendationJsonContext.Default };
        var writers = new (string Name, RecommendationResponse Value, Action<Utf8JsonWriter, RecommendationResponse> Write)[]
        {
            ("hand-written (RecommendationJson), items from fragments", first, RecommendationJson.Write),
            ("hand-written, items property by property", first, (w, r) => RecommendationJson.Write(w, r, fromFragments: false)),
            ("source generator, fast path", first, (w, r) => JsonSerializer.Serialize(w, r, RecommendationJsonContext.Default.RecommendationResponse)),
            ("source generator, metadata, app's options", first, (w, r) => JsonSerializer.Serialize(w, r, (JsonTypeInfo<RecommendationResponse>)metadataWithAppOptions.GetTypeInfo(typeof(RecommendationResponse)))),
            ("reflection serializer, app's options", first, (w, r) => JsonSerializer.Serialize(w, r, http)),
        };

        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using var writer = new Utf8JsonWriter(buffer, RecommendationJson.WriterOptions(http));
        var same = new bool[writers.Length];
        for (var w = 0; w < writers.Length; w++)
        {
            Write(writers[w]);
            same[w] = buffer.WrittenSpan.SequenceEqual(JsonSerializer.SerializeToUtf8Bytes(writers[w].Value, http));
            for (var i = 0; i < Math.Min(iterations, 5_000); i++)
            {
                Write(writers[w]); // warm up (tiered JIT)
            }
        }

        var cpu = new double[writers.Length][];
        var bytes = new long[writers.Length];
        for (var w = 0; w < writers.Length; w++)
        {
            cpu[w] = new double[Rounds];
        }

        for (var round = 0; round < Rounds; round++)
        {
            for (var k = 0; k < writers.Length; k++)
            {
                var w = (k + round) % writers.Length; // each round starts with another writer
                var allocated = GC.GetAllocatedBytesForCurrentThread();
                var started = Process.GetCurrentProcess().TotalProcessorTime;
                for (var i = 0; i < iterations; i++)
                {
                    Write(writers[w]);
                }

                cpu[w][round] = (Process.GetCurrentProcess().TotalProcessorTime - started).TotalMicroseconds / iterations;
                bytes[w] = (GC.GetAllocatedBytesForCurrentThread() - allocated) / iterations;
            }
        }

        output.WriteLine($"one home answer of 10 items, {JsonSerializer.SerializeToUtf8Bytes(first, http).Length} bytes; {Rounds} rounds of {iterations} writes per writer, into one reused Utf8JsonWriter");
        output.WriteLine($"{"writer",-52} {"µs CPU (median)",16} {"min – max",15} {"B allocated",12} {"bytes = serializer's",21}");
        for (var w = 0; w < writers.Length; w++)
        {
            var sorted = cpu[w].Order().ToArray();
            output.WriteLine($"{writers[w].Name,-52} {sorted[Rounds / 2],16:F2} {$"{sorted[0]:F2} – {sorted[^1]:F2}",15} {bytes[w],12} {(same[w] ? "yes" : "NO"),21}");
        }

        void Write((string Name, RecommendationResponse Value, Action<Utf8JsonWriter, RecommendationResponse> Write) candidate)
        {
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            candidate.Write(writer, candidate.Value);
            writer.Flush();
        }
    }
}

/// <summary>
/// The System.Text.Json source generator's contract for the answer, with the options of the app's
/// HTTP answers that the generator can hold (web defaults: camelCase; nulls left out; nullable
/// annotations not enforced). The encoder is the writer's, as for the hand-written writer.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RecommendationResponse))]
internal sealed partial class RecommendationJsonContext : JsonSerializerContext;
