using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Recommender.Functions.Tests.OpenApi;

/// <summary>
/// The served OpenAPI document (<c>GET /api/openapi.json</c>) against the approved snapshot checked in next to
/// this file (<c>openapi.approved.json</c>): any change to a route, parameter, response or schema shows up as a
/// diff to review. On a difference the test writes <c>openapi.received.json</c> beside it and fails; approving is
/// replacing the approved file with the received one (docs/testing.md, "Approved snapshots").
/// </summary>
public sealed class OpenApiDocumentTests
{
    private const string Approved = "openapi.approved.json";
    private const string Received = "openapi.received.json";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static async Task<JsonNode> ServedDocumentAsync()
    {
        using var app = new TestApp();
        using var client = app.CreateClient();
        using var response = await client.GetAsync("/api/openapi.json");
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    [Fact]
    public async Task TheServedDocument_MatchesTheApprovedSnapshot()
    {
        var served = (await ServedDocumentAsync()).ToJsonString(Indented).ReplaceLineEndings("\n") + "\n";
        var folder = SourceFolder();
        var approvedPath = Path.Combine(folder, Approved);
        var receivedPath = Path.Combine(folder, Received);
        var approved = File.Exists(approvedPath) ? (await File.ReadAllTextAsync(approvedPath)).ReplaceLineEndings("\n") : null;

        if (served == approved)
        {
            File.Delete(receivedPath);
            return;
        }

        await File.WriteAllTextAsync(receivedPath, served);
        Assert.Fail($"The served OpenAPI document differs from {approvedPath}{(approved is null ? " (missing)" : "")}. The document served now is in {receivedPath}: "
            + $"review `diff {approvedPath} {receivedPath}`, and if every change is intended approve it with `mv {receivedPath} {approvedPath}` (docs/testing.md).");
    }

    [Fact]
    public async Task EveryOperation_IsTaggedAndSummarized_AndEveryParameterIsDescribed()
    {
        var document = await ServedDocumentAsync();

        Assert.All(document["tags"]!.AsArray(), tag => Assert.False(string.IsNullOrWhiteSpace((string?)tag!["description"]), $"tag {tag["name"]} has no description"));
        foreach (var (path, method, operation) in Operations(document))
        {
            Assert.True(operation["tags"] is JsonArray { Count: > 0 }, $"{method} {path} has no tag");
            Assert.False(string.IsNullOrWhiteSpace((string?)operation["summary"]), $"{method} {path} has no summary");
            foreach (var parameter in operation["parameters"]?.AsArray() ?? [])
            {
                Assert.False(string.IsNullOrWhiteSpace((string?)parameter!["description"]), $"{method} {path}: parameter {parameter["name"]} has no description");
            }
        }
    }

    [Fact]
    public async Task EveryOperation_DescribesItsBadInputAndGateAnswers()
    {
        var document = await ServedDocumentAsync();

        foreach (var (path, method, operation) in Operations(document))
        {
            var responses = operation["responses"]!.AsObject();
            Assert.Contains(responses, r => r.Key.StartsWith('2'));
            var takesInput = operation["requestBody"] is not null || (operation["parameters"]?.AsArray().Any(p => (string?)p!["in"] == "query") ?? false);
            if (takesInput)
            {
                Assert.True(responses["400"]?["content"]?["application/problem+json"] is not null, $"{method} {path} takes input but describes no 400 problem details");
            }

            string[] gate = path.StartsWith("/api/recommendations", StringComparison.Ordinal) || path == "/api/events" ? ["401", "429"]
                : path.StartsWith("/api/admin", StringComparison.Ordinal) || path.StartsWith("/api/privacy", StringComparison.Ordinal) ? ["401", "403"]
                : [];
            Assert.All(gate, status => Assert.True(responses.ContainsKey(status), $"{method} {path} does not describe its {status}"));
        }
    }

    private static IEnumerable<(string Path, string Method, JsonNode Operation)> Operations(JsonNode document)
    {
        var paths = document["paths"]!.AsObject();
        Assert.NotEmpty(paths);
        foreach (var (path, item) in paths)
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                yield return (path, method.ToUpperInvariant(), operation!);
            }
        }
    }

    /// <summary>This source file's folder, where the snapshot is checked in (the tests run on the machine that built them).</summary>
    private static string SourceFolder([CallerFilePath] string file = "") => Path.GetDirectoryName(file)!;
}
