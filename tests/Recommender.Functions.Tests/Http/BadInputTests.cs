using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Recommender.Cli;
using Recommender.Functions.Security;

namespace Recommender.Functions.Tests;

/// <summary>
/// Bad input on every public route — malformed JSON, wrong JSON types, bad query values — answers 4xx
/// with RFC 7807 problem details, never 5xx. The routes come from the served OpenAPI document, and the
/// requests carry the right storefront key or operator token so the route itself answers.
/// </summary>
public sealed class BadInputTests
{
    private const string ShopKey = "shop-a-secret-key-0123456789";
    private const string DevelopmentKey = "test-development-signing-key-0123456789abcdef";

    private static TestApp CreateSut(string environment = "Testing") => new(settings: new Dictionary<string, string>
    {
        ["Recommender:Mode"] = "Embedded",
        ["environment"] = environment,
        ["Recommender:Storefront:Clients:shop-a:KeySha256"] = StorefrontKeys.Hash(ShopKey),
        ["Recommender:Auth:DevelopmentSigningKey"] = DevelopmentKey,
    });

    private static HttpRequestMessage Request(HttpMethod method, string url, string? json = null)
    {
        var request = new HttpRequestMessage(method, url);
        if (StorefrontRoutes.IsStorefront(new Microsoft.AspNetCore.Http.PathString(url.Split('?')[0])))
        {
            request.Headers.Add(StorefrontRoutes.ApiKeyHeader, ShopKey);
        }
        else
        {
            var token = TokenCommand.Mint(DevelopmentKey, ["Privacy.Manage", "Recommender.Admin"], "tester", "recommender", DateTimeOffset.UtcNow, TimeSpan.FromHours(1));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return request;
    }

    /// <summary>Every operation of the document: method, path template, query parameter names and body property names with their declared types.</summary>
    private static List<(HttpMethod Method, string Path, List<string> Query, Dictionary<string, string> Body, bool HasBody)> Operations(JsonElement document)
    {
        var schemas = document.TryGetProperty("components", out var components) && components.TryGetProperty("schemas", out var s) ? s : default;
        Dictionary<string, string> Properties(JsonElement schema)
        {
            var result = new Dictionary<string, string>();
            if (schema.TryGetProperty("$ref", out var reference) && schemas.ValueKind == JsonValueKind.Object)
            {
                schema = schemas.GetProperty(reference.GetString()!.Split('/')[^1]);
            }

            if (schema.TryGetProperty("properties", out var properties))
            {
                foreach (var property in properties.EnumerateObject())
                {
                    var type = property.Value.TryGetProperty("type", out var t) ? t.ToString() : "object";
                    result[property.Name] = type;
                }
            }

            return result;
        }

        var operations = new List<(HttpMethod, string, List<string>, Dictionary<string, string>, bool)>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var query = new List<string>();
                if (operation.Value.TryGetProperty("parameters", out var parameters))
                {
                    query.AddRange(parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query").Select(p => p.GetProperty("name").GetString()!));
                }

                var body = new Dictionary<string, string>();
                var hasBody = operation.Value.TryGetProperty("requestBody", out var requestBody);
                if (hasBody && requestBody.TryGetProperty("content", out var content))
                {
                    foreach (var media in content.EnumerateObject())
                    {
                        if (media.Value.TryGetProperty("schema", out var schema))
                        {
                            foreach (var (name, type) in Properties(schema))
                            {
                                body[name] = type;
                            }
                        }
                    }
                }

                operations.Add((new HttpMethod(operation.Name.ToUpperInvariant()), path.Name, query, body, hasBody));
            }
        }

        return operations;
    }

    /// <summary>A value of the wrong JSON type for a property declared as <paramref name="type"/>.</summary>
    private static object WrongType(string type) => type.Contains("string", StringComparison.Ordinal) ? new[] { 1, 2 } : "not-a-" + type;

    private static async Task AssertProblemAsync(HttpResponseMessage response, string what)
    {
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status < 500, $"{what}: {status} {text}");
        if (status >= 400)
        {
            Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{what}: {status} answered {response.Content.Headers.ContentType} {text}");
            var problem = JsonDocument.Parse(text).RootElement;
            Assert.Equal(status, problem.GetProperty("status").GetInt32());
            Assert.DoesNotContain("   at ", text, StringComparison.Ordinal); // no stack trace
        }
    }

    [Theory]
    [InlineData("Development")]
    [InlineData("Production")]
    public async Task EveryRouteOfTheOpenApiDocument_AnswersBadInputWith4xxProblemDetails(string environment)
    {
        using var app = CreateSut(environment);
        using var client = app.CreateClient();
        var document = await TestApp.ReadJsonAsync(await client.GetAsync("/api/openapi.json"));
        var operations = Operations(document);
        var mapped = app.Get<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints.OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/')).Where(p => p.StartsWith("/api/", StringComparison.Ordinal)).Distinct().ToList();
        Assert.Empty(mapped.Except(operations.Select(o => o.Path)).Except(["/api/openapi.json"]));

        foreach (var (method, template, query, body, hasBody) in operations)
        {
            var path = System.Text.RegularExpressions.Regex.Replace(template, "\\{[^}]+\\}", "customer-0001");
            var malformedIds = System.Text.RegularExpressions.Regex.Replace(template, "\\{[^}]+\\}", "bad%20id%21");
            foreach (var url in new[] { path, malformedIds })
            {
                using var plain = await client.SendAsync(Request(method, url, hasBody ? "{}" : null));
                await AssertProblemAsync(plain, $"{method} {url}");
            }

            foreach (var parameter in query)
            {
                foreach (var value in new[] { "notadate", "-1", "%FF", "99999999999999999999", "" })
                {
                    var url = $"{path}?{parameter}={value}";
                    using var response = await client.SendAsync(Request(method, url, hasBody ? "{}" : null));
                    await AssertProblemAsync(response, $"{method} {url}");
                }
            }

            if (!hasBody && method == HttpMethod.Get)
            {
                continue;
            }

            var wrongTypes = JsonSerializer.Serialize(body.ToDictionary(p => p.Key, p => WrongType(p.Value)));
            foreach (var json in new[] { "{", "{\"a\":", "[1,", "42", "\"text\"", "null", "[]", "{\"customerId\": {\"nested\": [1, 2]}}", wrongTypes })
            {
                using var response = await client.SendAsync(Request(method, path, json));
                await AssertProblemAsync(response, $"{method} {path} with {json}");
                if (hasBody && json is "{" or "{\"a\":" or "[1,")
                {
                    Assert.True((int)response.StatusCode is >= 400 and < 500, $"{method} {path} accepted broken JSON {json}: {response.StatusCode}");
                }
            }
        }
    }

    public static TheoryData<string, string, string, string> NamedFields => new()
    {
        { "POST", "/api/recommendations/customer-0001/search", "{", "body" },
        { "POST", "/api/recommendations/customer-0001/search", "{\"resultIds\": \"SHO-001\"}", "resultIds" },
        { "POST", "/api/privacy/consents/customer-0001", "{\"channel\": \"email\", \"granted\": \"maybe\"}", "granted" },
        { "POST", "/api/privacy/consents/customer-0001", "{\"channel\":", "body" },
        { "PUT", "/api/privacy/objection/customer-0001", "{\"objects\": \"yes\"}", "objects" },
        { "PUT", "/api/privacy/objection/customer-0001", "{", "body" },
        { "POST", "/api/privacy/erasure", "{\"customerId\": 42}", "customerId" },
        { "POST", "/api/privacy/erasure", "{", "body" },
        { "GET", "/api/privacy/audit?from=notadate", "", "from" },
        { "GET", "/api/privacy/audit?to=2026-13-45", "", "to" },
        { "GET", "/api/privacy/audit?customerId=bad%20id", "", "customerId" },
        { "PUT", "/api/admin/catalog?confirmRemoval=perhaps", "[]", "confirmRemoval" },
        { "GET", "/api/admin/segments?to=yesterday", "", "to" },
        { "GET", "/api/admin/segments/active/members?limit=0", "", "limit" },
        { "GET", "/api/admin/segments/gold/members", "", "segment" },
        { "GET", "/api/admin/bandit?days=0", "", "days" },
        { "GET", "/api/recommendations/customer-0001?count=ten&window=2h", "", "window" },
    };

    [Theory]
    [MemberData(nameof(NamedFields))]
    public async Task BadInput_Answers400ProblemDetailsNamingTheField(string method, string url, string json, string field)
    {
        using var app = CreateSut("Development");
        using var client = app.CreateClient();

        using var response = await client.SendAsync(Request(new HttpMethod(method), url, json.Length > 0 ? json : null));

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} {url}: {response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"{method} {url}: the errors do not name '{field}': {text}");
    }
}
