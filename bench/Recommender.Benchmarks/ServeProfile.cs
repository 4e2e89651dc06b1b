using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Recommender.Domain.Catalog;
using Recommender.Domain.Ports;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Ports.Storage;
using Recommender.Functions.Endpoints;

namespace Recommender.Benchmarks;

/// <summary>
/// <c>serve --profile N</c>: the serving path's stages timed in process (no HTTP, no wrk) on the data
/// the <c>serve</c> benchmark sets up, each over N calls for random customers: CPU time and bytes
/// allocated per call, and what the document cache holds. Process CPU time, not wall time, so other
/// load on the machine counts less.
/// </summary>
public static class ServeProfile
{
    public static async Task RunAsync(IServiceProvider services, int customers, int iterations, TextWriter output, CancellationToken cancellationToken)
    {
        var documents = services.GetRequiredService<IDocumentStore>();
        var recommendations = services.GetRequiredService<RecommendationService>();
        var json = services.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var products = await services.GetRequiredService<CatalogProvider>().GetAsync(cancellationToken);
        var serving = services.GetRequiredService<IOptions<ServingOptions>>().Value;
        var random = new Random(1);
        string Customer() => $"{ServeBenchmark.CustomerPrefix}{random.Next(customers):D6}";

        if ((documents is Domain.Ports.Telemetry.MeteredDocumentStore metered ? metered.Inner : documents) is Adapters.Embedded.SqliteDocumentStore store)
        {
            output.WriteLine($"document cache: {store.CachedDocumentCount} of {store.DocumentCacheCapacity} entries in use");
        }

        await TimeAsync("read the list from SQLite and parse it", async () =>
        {
            var id = Customer();
            await documents.GetAsync<CachedRecommendations>(Collections.Recommendations, id, id, cancellationToken);
        });
        await TimeAsync("read the list through the cache", async () =>
        {
            var id = Customer();
            await documents.GetSharedAsync<CachedRecommendations>(Collections.Recommendations, id, id, cancellationToken);
        });
        var lists = new List<CachedRecommendations>();
        for (var i = 0; i < Math.Min(customers, 10_000); i++)
        {
            var id = Customer();
            lists.Add((await documents.GetSharedAsync<CachedRecommendations>(Collections.Recommendations, id, id, cancellationToken))!);
        }

        output.WriteLine($"cached lists in serving order (no sort needed): {lists.Count(l => l.ItemsAreInServingOrder)} of {lists.Count}");
        await TimeAsync("serving rules on a cached list (50 -> 10)", () =>
        {
            var list = lists[random.Next(lists.Count)];
            var profile = list.Snapshot!.ToProfile(list.CustomerId);
            ServingRules.Apply(list, 10, ServingRules.Exclusions(profile, products, DateTimeOffset.UtcNow), profile, products, ServingFilters.None, serving, null);
            return Task.CompletedTask;
        });
        // The stages of GetAsync besides the cached read and the rules: what strategy choice costs.
        var membership = services.GetRequiredService<Domain.Segments.SegmentMembership>();
        var experiments = services.GetRequiredService<Domain.Experiments.ExperimentAssigner>();
        var bandit = services.GetRequiredService<BanditPolicy>();
        await TimeAsync("the customer's segments (SegmentsOfPersonalizableAsync)", async () =>
            await membership.SegmentsOfPersonalizableAsync(Customer(), cancellationToken));
        await TimeAsync("experiment assignment (home, none running)", async () =>
            await experiments.AssignAsync("home", Customer(), DateTimeOffset.UtcNow, _ => Task.FromResult<IReadOnlyList<string>>([]), cancellationToken));
        await TimeAsync("bandit choice (home, profile context)", async () =>
            await bandit.ChooseAsync("home", new BanditContext(BanditPolicy.ContextOf([]), lists[random.Next(lists.Count)].Snapshot!.BanditProfile),
                BanditPolicy.Strategies, "personalized", cancellationToken));
        await TimeAsync("RecommendationService.GetAsync (home, 10)", async () =>
            await recommendations.GetAsync(new RecommendationRequest(Customer(), Placement.Home, 10), cancellationToken));
        var response = await recommendations.GetAsync(new RecommendationRequest(Customer(), Placement.Home, 10), cancellationToken);
        await TimeAsync($"serialize the response ({JsonSerializer.SerializeToUtf8Bytes(response, json).Length} bytes)", () =>
        {
            JsonSerializer.SerializeToUtf8Bytes(response, json);
            return Task.CompletedTask;
        });
        // What the endpoint does instead (RecommendationJsonResult): the hand-written writer into a reused buffer.
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using var writer = new Utf8JsonWriter(buffer, RecommendationJson.WriterOptions(json));
        await TimeAsync($"write it with RecommendationJson ({RecommendationJson.SerializeToUtf8Bytes(response, json).Length} bytes)", () =>
        {
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            RecommendationJson.Write(writer, response);
            writer.Flush();
            return Task.CompletedTask;
        });
        await TimeAsync("the serializer into the same reused buffer", () =>
        {
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            JsonSerializer.Serialize(writer, response, json);
            return Task.CompletedTask;
        });
        // The two answers as the endpoint executes them, into a response with a discarding body.
        await TimeAsync("TypedResults.Ok(response).ExecuteAsync (before)", () => TypedResults.Ok(response).ExecuteAsync(NullResponse()));
        await TimeAsync("RecommendationJsonResult.ExecuteAsync (now)", () => new RecommendationJsonResult(response).ExecuteAsync(NullResponse()));

        // The whole route in process, as Kestrel would call it after the middleware: binding, endpoint filters, handler, answer.
        var endpoint = services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .Single(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IEndpointNameMetadata>()?.EndpointName == "api-recommendations");
        await TimeAsync("the api-recommendations endpoint (home, 10)", () =>
        {
            var context = NullResponse();
            context.Request.Method = HttpMethods.Get;
            context.Request.RouteValues["customerId"] = Customer();
            context.Request.QueryString = new QueryString("?placement=home&count=10");
            return endpoint.RequestDelegate!(context);
        });

        // The HTTP boundary alone (issue 16 item 5): the recommendations route's binding and validation through
        // [AsParameters] and the endpoint filter, as mapped, against the same values read by hand in the handler and
        // validated there, as the route did before. Both answer nothing, so only the boundary is timed.
        await using var boundary = WebApplication.CreateSlimBuilder().Build();
        boundary.MapGet("/declared/{customerId}", ([AsParameters] RecommendationQuery query) => Results.Empty).Validated<RecommendationQuery>();
        boundary.MapGet("/by-hand/{customerId}", (string customerId, HttpRequest http) =>
        {
            var q = http.Query;
            return new RecommendationQuery(customerId, q["placement"], q["count"], q["productId"], Values(q["recent"]), Values(q["includeCategories"]),
                Values(q["excludeCategories"]), Values(q["includeBrands"]), Values(q["excludeBrands"]), q["maxPerBrand"], q["maxPerCategory"], q["diversity"], q["window"], q["category"]).Validate() is null
                ? Results.Empty : Results.BadRequest();
        });
        var routes = ((IEndpointRouteBuilder)boundary).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .ToDictionary(e => e.RoutePattern.RawText!.Split('/')[1], e => e.RequestDelegate!);
        foreach (var (name, handler) in routes.OrderBy(r => r.Key))
        {
            await TimeAsync($"boundary only: {name} (placement=home&count=10)", () =>
            {
                var context = new DefaultHttpContext { RequestServices = boundary.Services, Response = { Body = Stream.Null } };
                context.Request.Method = HttpMethods.Get;
                context.Request.RouteValues["customerId"] = Customer();
                context.Request.QueryString = new QueryString("?placement=home&count=10");
                return handler(context);
            });
        }

        static string[]? Values(Microsoft.Extensions.Primitives.StringValues values) => values.Count == 0 ? null : (string[])(object)values.ToArray(); // the elements are never null in a query

        HttpContext NullResponse() => new DefaultHttpContext { RequestServices = services, Response = { Body = Stream.Null } };

        // A request's serving work end to end (list, rules, answer written) for random customers, one
        // call at a time: wall time per call (its tail shows the collector's pauses) and the collections.
        await ServeLoopAsync(iterations * 5);

        async Task ServeLoopAsync(int calls)
        {
            var times = new double[calls];
            var pause = GC.GetTotalPauseDuration();
            var collections = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            for (var i = 0; i < calls; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var served = await recommendations.GetAsync(new RecommendationRequest(Customer(), Placement.Home, 10), cancellationToken);
                await new RecommendationJsonResult(served).ExecuteAsync(NullResponse());
                times[i] = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
            }

            var perCall = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / calls;
            Array.Sort(times);
            double At(double q) => times[Math.Min(calls - 1, (int)(q * calls))];
            output.WriteLine($"{$"serve and write, {calls} random customers",-55} {perCall,8:F1} µs CPU  wall p50 {At(0.5):F0} / p99 {At(0.99):F0} / p99.9 {At(0.999):F0} / max {times[^1]:F0} µs; " +
                $"GC pauses {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds:F0} ms, collections gen0/1/2 {GC.CollectionCount(0) - collections.Item1}/{GC.CollectionCount(1) - collections.Item2}/{GC.CollectionCount(2) - collections.Item3}");
        }

        async Task TimeAsync(string name, Func<Task> action)
        {
            for (var i = 0; i < Math.Min(iterations, 2000); i++)
            {
                await action();
            }

            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            for (var i = 0; i < iterations; i++)
            {
                await action();
            }

            var perCall = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / iterations;
            output.WriteLine($"{name,-55} {perCall,8:F1} µs CPU  {(GC.GetTotalAllocatedBytes(precise: true) - allocated) / iterations,7} B allocated");
        }
    }
}
