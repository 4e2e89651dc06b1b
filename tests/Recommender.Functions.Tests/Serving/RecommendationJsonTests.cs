using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Recommender.Domain;
using Recommender.Domain.Catalog;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Training;
using Recommender.Functions.Endpoints;

namespace Recommender.Functions.Tests;

/// <summary>
/// The hand-written writer of the recommendations answer (<see cref="RecommendationJson"/>,
/// <see cref="RecommendationJsonResult"/>) against what the serializer writes with the app's own
/// HTTP JSON options, resolved from the running app so that a change to them shows here.
/// </summary>
public class RecommendationJsonTests
{
    private const string Symbols = "<>&'\"\\/+`";

    private static readonly string[] TrickyStrings =
    [
        "",
        " ",
        "plain-ascii_123",
        "<script>alert('x')</script> & \"quoted\" 'single' `back` + = ?",
        "back\\slash /slash",
        "caf\u00e9 na\u00efve \u00fcber stra\u00dfe \u00a9 \u00ae \u00a0nbsp",
        "\u65e5\u672c\u8a9e \u4e2d\u6587 \ud55c\uad6d\uc5b4 \u0627\u0644\u0639\u0631\u0628\u064a\u0629 \u05e2\u05d1\u05e8\u05d9\u05ea",
        "\ud83d\ude00\ud83d\udc4d\ud83c\udffd \ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67 \ud83c\uddeb\ud83c\uddf7",
        "\0\u0001\u0002\u0007\b\t\n\v\f\r\u001b\u001f\u007f\u0080\u009f",
        "\u2028line\u2029paragraph \u200b\u200d\ufeff\ufffd",
        "\ud800 lone high, lone low \udc00",
        "trailing-surrogate-pair-\ud83d\ude80",
        new string('a', 5000),
        new string('\u00e9', 3000) + "<",
        string.Concat(Enumerable.Repeat("<&>\"'\u00e9\ud83d\ude00", 2000)),
        "ends with escape " + new string('x', 600) + "\n",
    ];

    private static readonly double[] TrickyDoubles =
    [
        0, -0.0, 1, -1, 0.5, 1e-7, 0.1 + 0.2, 123456789.123, 1.0 / 3, 2.0 / 3, 0.000001, 0.987654, 1e21, 1e-21, 12345678901234567890.0,
        double.MaxValue, double.MinValue, double.Epsilon, -double.Epsilon, 5e-324, 1.7976931348623157e308, 2.2250738585072014e-308,
        9007199254740993, 4.35, 0.3, 100, 1e16, 123e-20, -987.654321,
    ];

    private static readonly decimal?[] TrickyDecimals =
    [
        null, 0m, 0.00m, -0m, 1m, 10m, 19.99m, 19.990m, -12.3400m, 0.0000000000000000000000000001m, 1.0000000000000000000000000001m,
        decimal.MaxValue, decimal.MinValue, 79228162514264337593543950335m, 123456789.123456789m, 7.9228162514264337593543950335m, 1e-10m,
    ];

    private static JsonSerializerOptions HttpJsonOptions(TestApp app) =>
        app.Get<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;

    [Fact]
    public void TheWriter_WritesTheSerializersPropertiesInTheSerializersOrder()
    {
        using var app = new TestApp();
        var options = HttpJsonOptions(app);

        // Properties the serializer writes (an ignored one is listed without a getter).
        var response = options.GetTypeInfo(typeof(RecommendationResponse)).Properties.Where(p => p.Get is not null).ToList();
        var item = options.GetTypeInfo(typeof(RecommendationView)).Properties.Where(p => p.Get is not null).ToList();

        Assert.Equal(response.Select(p => p.Name), RecommendationJson.ResponseProperties);
        Assert.Equal(item.Select(p => p.Name), RecommendationJson.ItemProperties);
        // The writer's calls per property (string, bool, double, decimal?, the item list) assume these types.
        Assert.Equal([typeof(string), typeof(string), typeof(string), typeof(string), typeof(string), typeof(IReadOnlyList<RecommendationView>),
            typeof(bool), typeof(string), typeof(string), typeof(bool)], response.Select(p => p.PropertyType));
        Assert.Equal([typeof(string), typeof(string), typeof(string), typeof(decimal?), typeof(string), typeof(double),
            typeof(string), typeof(string), typeof(string), typeof(string)], item.Select(p => p.PropertyType));
        Assert.All(response.Concat(item), p => Assert.Null(p.CustomConverter));
    }

    [Fact]
    public void TheWriter_MatchesTheSerializerByteForByte_OnEdgeCasesAndRandomResponses()
    {
        using var app = new TestApp();
        var http = HttpJsonOptions(app);
        // The app's options (whose encoder is the relaxed one), and copies with the HTML-safe default
        // encoder and indented, to show the writer follows the options rather than one setting of them.
        var variants = new[]
        {
            ("http", http),
            ("default encoder", new JsonSerializerOptions(http) { Encoder = JavaScriptEncoder.Default }),
            ("indented", new JsonSerializerOptions(http) { WriteIndented = true, IndentSize = 3, NewLine = "\n" }),
        };
        var cases = EdgeCases().Concat(RandomResponses(new Random(20260401), 400)).ToList();
        // The same answers written again (a served list's items again, as most answers are): the second write must not differ.
        cases.AddRange(cases.Take(60).SelectMany(c => new[] { ($"{c.Name}, again", c.Value), ($"{c.Name}, again with new views", c.Value with { Items = c.Value.Items?.ToList()! }) }).ToList());

        foreach (var (variant, options) in variants)
        {
            foreach (var (name, value) in cases)
            {
                var expected = Outcome(() => JsonSerializer.SerializeToUtf8Bytes(value, options));
                var actual = Outcome(() => RecommendationJson.SerializeToUtf8Bytes(value, options));
                Assert.True(expected.SequenceEqual(actual), $"{variant}, {name}:\nserializer: {Encoding.UTF8.GetString(expected)}\nwriter:     {Encoding.UTF8.GetString(actual)}");
            }
        }

        Assert.True(cases.Count > 570, $"{cases.Count} cases");
    }

    [Fact]
    public void AnItemWrittenFromItsFragments_IsTheSerializersBytes_AndFollowsACatalogChangeAtOnce()
    {
        using var app = new TestApp();
        var options = HttpJsonOptions(app);
        var fragments = new RecommendationItemFragments(options.Encoder);
        string? FromFragments(RecommendationView item)
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer, RecommendationJson.WriterOptions(options)))
            {
                if (!fragments.TryWrite(writer, item))
                {
                    return null;
                }
            }

            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }

        var parka = new RecommendationView("JKT-1", "Parka <warm>", "jackets", 180m, "https://img/1.jpg", 0.912345, "Because you viewed \"Fleece\"", "similar:JKT-3")
        {
            Brand = "north",
            Url = "https://shop/p/JKT-1",
        };
        var bare = new RecommendationView("B-1", null, null, null, null, 1e-7, null!, null!);
        foreach (var item in new[] { parka, parka, bare, bare, parka with { Brand = null, Url = null }, parka with { Name = "lone \ud800 surrogate" } })
        {
            Assert.Equal(JsonSerializer.Serialize(item, options), FromFragments(item)); // the first time, and again from what was kept
        }

        // The catalog changed (same product id): the new name, the price as written (scale included), at once.
        foreach (var changed in new[] { parka with { Name = "Winter parka" }, parka with { Price = 180.00m }, parka with { Price = null }, parka with { ImageUrl = null } })
        {
            Assert.Equal(JsonSerializer.Serialize(changed, options), FromFragments(changed));
        }

        // Written property by property instead (nothing written here): what JSON cannot hold or the fragments would not keep.
        Assert.Null(FromFragments(parka with { Score = double.NaN }));
        Assert.Null(FromFragments(parka with { Reason = new string('r', 600) }));
        Assert.Null(FromFragments(parka with { ProductId = null! }));
    }

    [Fact]
    public async Task AKeptAnswer_IsWrittenOnce_AndServedAgainFromItsWrittenItems_UntilItsIdChanges()
    {
        using var app = new TestApp();
        var options = HttpJsonOptions(app);
        async Task<string> BodyAsync(RecommendationResponse value)
        {
            using var body = new MemoryStream();
            var context = new DefaultHttpContext { RequestServices = app.Services };
            context.Response.Body = body;
            await new RecommendationJsonResult(value).ExecuteAsync(context);
            Assert.Equal(body.Length, context.Response.ContentLength);
            return Encoding.UTF8.GetString(body.ToArray());
        }

        var answer = 41L; // this app's ring is its own (a singleton): no other test's answer meets it
        var kept = new RecommendationResponse("rec-1", "c-1", "home", "v1", "cache",
            [View("A", Names["B"], 19.990m, 0.75, "Because you viewed \"C\" <b>"), View("B", null, null, 1e-7)]) { Personalized = true, Strategy = "personalized" };
        var first = kept with { KeptAnswer = answer };
        Assert.Equal(Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(first, options)), await BodyAsync(first));

        // Served again (a new recommendation id, the same kept answer): the items are the bytes written the first time —
        // shown here by items the domain would never pair with the same id — and the rest of the answer is this request's.
        var again = kept with { RecommendationId = "rec-2", KeptAnswer = answer, Items = [View("Z", "other", 1m, 0.5)], Explored = true };
        var expected = JsonSerializer.SerializeToUtf8Bytes(again with { Items = first.Items }, options);
        Assert.Equal(Encoding.UTF8.GetString(expected), await BodyAsync(again));

        // A new kept answer (the list, the catalog or the customer's signals changed) is written anew; an answer picked for its request alone always is.
        var renewed = again with { KeptAnswer = answer + 1 };
        Assert.Equal(Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(renewed, options)), await BodyAsync(renewed));
        var unkept = again with { KeptAnswer = null };
        Assert.Equal(Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(unkept, options)), await BodyAsync(unkept));
        Assert.DoesNotContain("keptAnswer", await BodyAsync(first), StringComparison.OrdinalIgnoreCase); // never sent
    }

    [Fact]
    public async Task WithRenderedItemsOff_EveryAnswersItemsAreWrittenEachTime()
    {
        using var app = new TestApp(settings: new Dictionary<string, string> { ["Recommender:Mode"] = "Embedded", ["Recommender:RenderedItemsMegabytes"] = "0" });
        Assert.Null(app.Services.GetService<RenderedItems>());
        var options = HttpJsonOptions(app);
        var kept = Response("rec-1", [View("A", "a", 1m, 0.5)]) with { KeptAnswer = 1 };
        var again = kept with { Items = [View("Z", "z", 2m, 0.25)] };
        foreach (var value in new[] { kept, again })
        {
            using var body = new MemoryStream();
            var context = new DefaultHttpContext { RequestServices = app.Services };
            context.Response.Body = body;
            await new RecommendationJsonResult(value).ExecuteAsync(context);
            Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(value, options), body.ToArray());
        }

        using var defaults = new TestApp();
        Assert.Equal(256L * 1024 * 1024, defaults.Services.GetRequiredService<RenderedItems>().CapacityBytes);
    }

    [Fact]
    public async Task TheEndpoint_ServesAKeptAnswerAgainWithTheSerializersBytes_AndACatalogChangeAtOnce()
    {
        await using var app = await AppWithHistoryAsync();
        var options = HttpJsonOptions(app);
        using var client = app.CreateClient();
        async Task<(byte[] Body, RecommendationResponse Value)> GetAsync()
        {
            using var response = await client.GetAsync("/api/recommendations/me?count=3");
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(body.Length, response.Content.Headers.ContentLength);
            var value = JsonSerializer.Deserialize<RecommendationResponse>(body, Json.Options)!;
            Assert.Equal(Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(value, options)), Encoding.UTF8.GetString(body));
            return (body, value);
        }

        var first = await GetAsync();
        var second = await GetAsync(); // the kept answer's items as written for the first
        Assert.Equal("cache", second.Value.Source);
        Assert.Equal(first.Value.Items, second.Value.Items);
        Assert.NotEqual(first.Value.RecommendationId, second.Value.RecommendationId);

        // A product's name changes: the catalog is a new instance, the answer is kept anew and written with the new name.
        var catalog = app.Services.GetRequiredService<CatalogProvider>();
        var shown = first.Value.Items[0].ProductId;
        await catalog.SaveAsync([.. (await catalog.GetAsync()).Values.Select(p => p.Id == shown ? p with { Name = "Renamed <now>" } : p)]);
        var renamed = await GetAsync();
        Assert.Equal("Renamed <now>", renamed.Value.Items.Single(i => i.ProductId == shown).Name);
        Assert.Equal("Renamed <now>", (await GetAsync()).Value.Items.Single(i => i.ProductId == shown).Name);
    }

    [Fact]
    public async Task TheResult_WritesTheSameBytesWithTypeAndLength_ThroughItsReusedBuffer()
    {
        using var app = new TestApp();
        var options = HttpJsonOptions(app);
        var huge = Response("huge", [.. Enumerable.Range(0, 40).Select(i => View($"P-{i}", new string('\u00e9', 5000) + "<>", 19.99m, 0.1 * i))]);
        // Small, then one that outgrows the kept buffer (it is let go), then small ones again on a new one.
        var values = EdgeCases().Take(5).Select(c => c.Value).Append(huge).Concat(RandomResponses(new Random(7), 20).Select(c => c.Value)).ToList();

        foreach (var value in values)
        {
            using var body = new MemoryStream();
            var context = new DefaultHttpContext { RequestServices = app.Services };
            context.Response.Body = body;

            await new RecommendationJsonResult(value).ExecuteAsync(context);

            var expected = JsonSerializer.SerializeToUtf8Bytes(value, options);
            Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
            Assert.Equal("application/json; charset=utf-8", context.Response.ContentType);
            Assert.Equal(expected.Length, context.Response.ContentLength);
            Assert.Equal(expected, body.ToArray());
        }

        Assert.True(JsonSerializer.SerializeToUtf8Bytes(huge, options).Length > 256 * 1024);
    }

    [Fact]
    public async Task TheEndpoint_AnswersWithTheSerializersBytes_ContentTypeAndLength()
    {
        await using var app = await AppWithHistoryAsync();
        var options = HttpJsonOptions(app);
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/api/recommendations/me?count=5");
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(body.Length, response.Content.Headers.ContentLength);
        var parsed = JsonSerializer.Deserialize<RecommendationResponse>(body, Json.Options)!;
        Assert.Equal("cache", parsed.Source);
        Assert.Equal("me", parsed.CustomerId);
        Assert.Equal(["B", "C"], parsed.Items.Take(2).Select(i => i.ProductId));
        var b = parsed.Items[0];
        Assert.Equal(Names["B"], b.Name);
        Assert.Equal(19.990m, b.Price);
        Assert.Equal("br\u00e4nd <b>", b.Brand);
        Assert.Null(b.Url);
        Assert.Equal("https://shop/p/C?a=1&b=<2>", parsed.Items[1].Url);
        // What the serializer writes for the value the body holds is the body itself.
        Assert.Equal(Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(parsed, options)), Encoding.UTF8.GetString(body));
        Assert.DoesNotContain("\"url\":null", Encoding.UTF8.GetString(body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheEndpoint_UnderConcurrentRequests_GivesEachRequestItsOwnAnswer()
    {
        await using var app = await AppWithHistoryAsync();
        using var client = app.CreateClient();

        var answers = await Task.WhenAll(Enumerable.Range(0, 64).Select(async i =>
        {
            var customer = $"parallel-{i}";
            using var response = await client.GetAsync($"/api/recommendations/{customer}?placement=product&productId=A&count={1 + (i % 4)}");
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(body.Length, response.Content.Headers.ContentLength);
            return (customer, i, Value: JsonSerializer.Deserialize<RecommendationResponse>(body, Json.Options)!);
        }));

        Assert.All(answers, a =>
        {
            Assert.Equal(a.customer, a.Value.CustomerId);
            Assert.InRange(a.Value.Items.Count, 1, 1 + (a.i % 4));
        });
    }

    [Fact]
    public async Task TheEndpoint_StillAnswersInvalidRequestsWithAValidationProblem()
    {
        using var app = new TestApp();
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/api/recommendations/me?placement=sidebar");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await TestApp.ReadJsonAsync(response)).GetProperty("errors").TryGetProperty("placement", out _));
    }

    [Fact]
    public async Task TheOpenApiDocument_StillDescribesTheAnswerAsARecommendationResponse()
    {
        using var app = new TestApp();
        using var client = app.CreateClient();

        var document = await TestApp.ReadJsonAsync(await client.GetAsync("/api/openapi.json"));

        var get = document.GetProperty("paths").GetProperty("/api/recommendations/{customerId}").GetProperty("get");
        var responses = get.GetProperty("responses");
        // 503: the stores cannot be read and this instance has served nothing yet to fall back on (ServingDegradationTests).
        Assert.Equal(["200", "400", "503", "401", "429"], responses.EnumerateObject().Select(r => r.Name));
        var ok = responses.GetProperty("200");
        Assert.Equal("OK", ok.GetProperty("description").GetString());
        Assert.Equal(["application/json"], ok.GetProperty("content").EnumerateObject().Select(c => c.Name));
        Assert.Equal("#/components/schemas/RecommendationResponse", ok.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        Assert.Equal("#/components/schemas/HttpValidationProblemDetails",
            responses.GetProperty("400").GetProperty("content").GetProperty("application/problem+json").GetProperty("schema").GetProperty("$ref").GetString());
        Assert.Equal("#/components/schemas/ProblemDetails",
            responses.GetProperty("503").GetProperty("content").GetProperty("application/problem+json").GetProperty("schema").GetProperty("$ref").GetString());
        var schema = document.GetProperty("components").GetProperty("schemas").GetProperty("RecommendationResponse").GetProperty("properties");
        Assert.Equal(RecommendationJson.ResponseProperties, schema.EnumerateObject().Select(p => p.Name));
    }

    private static readonly Dictionary<string, string> Names = new()
    {
        ["A"] = "Product A",
        ["B"] = "Caf\u00e9 <cr\u00e8me> & 'br\u00fbl\u00e9e' \"\ud83c\udf6e\" \u2028",
        ["C"] = "\u65e5\u672c\u8a9e\u306e\u672c",
        ["D"] = "Product D",
        ["OUT"] = "Sold out",
    };

    /// <summary>As <see cref="RecommendationsTests"/>: "me" viewed A, whose neighbours are B then C; names, prices and URLs that test the writer.</summary>
    private static Task<TestApp> AppWithHistoryAsync() => RecommendationsTests.AppWithHistoryAsync(
    [
        new Product("A", Names["A"], "cat", 10m),
        new Product("B", Names["B"], "cat \u00e9", 19.990m, Brand: "br\u00e4nd <b>", ImageUrl: "https://img/B.png"),
        new Product("C", Names["C"], "cat", 0.5m, Url: "https://shop/p/C?a=1&b=<2>"),
        new Product("D", Names["D"], "cat", 123456.789m),
        new Product("OUT", Names["OUT"], "cat", 1m, InStock: false),
    ]);

    /// <summary>The bytes written, or the type of the exception thrown (both sides must fail alike).</summary>
    private static byte[] Outcome(Func<byte[]> write)
    {
        try
        {
            return write();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or JsonException)
        {
            return Encoding.UTF8.GetBytes("threw " + e.GetType().FullName);
        }
    }

    private static RecommendationView View(string id, string? name, decimal? price, double score, string reason = "Because", string code = "viewed:A") =>
        new(id, name, null, price, null, score, reason, code);

    private static RecommendationResponse Response(string id, IReadOnlyList<RecommendationView> items) =>
        new(id, "customer", "home", "v1", "cache", items);

    private static IEnumerable<(string Name, RecommendationResponse Value)> EdgeCases()
    {
        yield return ("empty items", Response("rec-1", []));
        yield return ("empty array items", Response("rec-1", Array.Empty<RecommendationView>()));
        yield return ("everything null", new RecommendationResponse(null!, null!, null!, null!, null!, null!));
        yield return ("a null item", Response("rec-1", [View("A", "a", 1m, 1), null!, View("B", null, null, 0)]));
        yield return ("all nullable fields null", Response("rec-1", [new RecommendationView("A", null, null, null, null, 0.5, "r", "c")]));
        yield return ("non-nullable item strings null", Response("rec-1", [new RecommendationView(null!, null, null, null, null, 0.5, null!, null!)]));
        yield return ("all set", new RecommendationResponse("rec-home.known.personalized-0190", "c-1", "home", "als-2026", "cache",
            [new RecommendationView("A", "Name", "Cat", 9.99m, "https://img/a.png", 0.75, "Because you viewed B", "viewed:B") { Brand = "brand", Url = "https://shop/a" }])
        {
            Personalized = true,
            Variant = "treatment",
            Strategy = "personalized",
            Explored = true,
        });
        yield return ("variant without strategy", Response("rec-1", []) with { Variant = "control" });
        yield return ("strategy without variant", Response("rec-1", []) with { Strategy = "trending", Explored = true });
        foreach (var (s, i) in TrickyStrings.Select((s, i) => (s, i)))
        {
            yield return ($"string {i} everywhere", new RecommendationResponse(s, s, s, s, s,
                [new RecommendationView(s, s, s, 1m, s, 1, s, s) { Brand = s, Url = s }]) { Variant = s, Strategy = s });
        }

        foreach (var (d, i) in TrickyDoubles.Select((d, i) => (d, i)))
        {
            yield return ($"double {i} ({d.ToString("R", CultureInfo.InvariantCulture)})", Response("rec-1", [View("A", "a", null, d), View("B", "b", 1m, -d)]));
        }

        foreach (var (m, i) in TrickyDecimals.Select((m, i) => (m, i)))
        {
            yield return ($"decimal {i} ({m?.ToString(CultureInfo.InvariantCulture) ?? "null"})", Response("rec-1", [View("A", "a", m, 0.5), View("B", "b", m is { } v ? -v : null, 0.5)]));
        }

        yield return ("many items", Response("rec-1", [.. Enumerable.Range(0, 200).Select(i => View($"P-{i:D5}", $"Product {i}", i * 1.25m, 1.0 / (i + 1)))]));
    }

    private static IEnumerable<(string Name, RecommendationResponse Value)> RandomResponses(Random random, int count)
    {
        for (var n = 0; n < count; n++)
        {
            var items = Enumerable.Range(0, random.Next(0, 25)).Select(_ => new RecommendationView(RandomString(random)!, RandomString(random, nullable: true),
                RandomString(random, nullable: true), RandomDecimal(random), RandomString(random, nullable: true), RandomDouble(random), RandomString(random)!, RandomString(random)!)
            {
                Brand = RandomString(random, nullable: true),
                Url = RandomString(random, nullable: true),
            }).ToList();
            var response = new RecommendationResponse(RandomString(random)!, RandomString(random)!, RandomString(random)!, RandomString(random)!, RandomString(random)!,
                random.Next(4) == 0 ? items.ToArray() : items)
            {
                Personalized = random.Next(2) == 0,
                Variant = RandomString(random, nullable: true),
                Strategy = RandomString(random, nullable: true),
                Explored = random.Next(2) == 0,
            };
            yield return ($"random {n}", response);
        }
    }

    private static string? RandomString(Random random, bool nullable = false)
    {
        if (nullable && random.Next(3) == 0)
        {
            return null;
        }

        if (random.Next(6) == 0)
        {
            return TrickyStrings[random.Next(TrickyStrings.Length)];
        }

        var length = random.Next(8) == 0 ? random.Next(200, 3000) : random.Next(0, 40);
        var text = new StringBuilder(length);
        while (text.Length < length)
        {
            switch (random.Next(10))
            {
                case < 5:
                    text.Append((char)random.Next(0x20, 0x7f)); // printable ASCII, HTML-sensitive ones included
                    break;
                case 5:
                    text.Append((char)random.Next(0, 0x20)); // control characters
                    break;
                case 6:
                    text.Append((char)random.Next(0x80, 0x800)); // Latin-1 and beyond, two UTF-8 bytes
                    break;
                case 7:
                    var c = (char)random.Next(0x800, 0x10000); // the rest of the BMP
                    text.Append(char.IsSurrogate(c) ? '\u20ac' : c);
                    break;
                case 8:
                    text.Append(char.ConvertFromUtf32(random.Next(0x10000, 0x110000))); // emoji and other supplementary characters
                    break;
                default:
                    text.Append(Symbols[random.Next(Symbols.Length)]);
                    break;
            }
        }

        return text.ToString();
    }

    private static double RandomDouble(Random random)
    {
        switch (random.Next(5))
        {
            case 0:
                return TrickyDoubles[random.Next(TrickyDoubles.Length)];
            case 1:
                return Math.Round(random.NextDouble(), 6); // as the engine rounds scores
            case 2:
                return random.NextDouble() * Math.Pow(10, random.Next(-12, 12)) * (random.Next(2) == 0 ? 1 : -1);
            default:
                double value;
                do
                {
                    value = BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue));
                }
                while (!double.IsFinite(value));
                return value;
        }
    }

    private static decimal? RandomDecimal(Random random) => random.Next(4) switch
    {
        0 => null,
        1 => TrickyDecimals[random.Next(TrickyDecimals.Length)],
        2 => Math.Round((decimal)random.NextDouble() * 1000, random.Next(0, 5)),
        _ => new decimal(random.Next(), random.Next(), random.Next(), random.Next(2) == 0, (byte)random.Next(0, 29)),
    };
}
