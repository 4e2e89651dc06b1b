using System.Net;
using System.Text;

namespace Recommender.Cli.Tests;

/// <summary><c>models</c> end to end against a scripted admin API.</summary>
public sealed class ModelsCommandTests
{
    [Fact]
    public async Task TrainWait_StartsARun_FollowsItToItsDecision_AndPrintsTheFinishedRun()
    {
        var api = new ScriptedApi(
            ("POST /api/admin/retrain", """{"runId":"run-7","status":"queued"}"""),
            ("GET /api/admin/training/run-7", """{"runId":"run-7","status":"queued"}"""),
            ("GET /api/admin/training/run-7", """{"runId":"run-7","status":"running"}"""),
            ("GET /api/admin/training/run-7", """{"runId":"run-7","status":"promoted","modelVersion":"v9"}"""));
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var code = await ModelsCommand.RunAsync(["train", "--wait", "--interval", "0", "--url", "http://app.test", "--key", "k1"], stdout, stderr, api);

        Assert.Equal(CliApp.Success, code);
        Assert.Equal("""{"runId":"run-7","status":"promoted","modelVersion":"v9"}""", stdout.ToString().Trim());
        var progress = stderr.ToString();
        Assert.True(progress.IndexOf("run run-7: queued", StringComparison.Ordinal) < progress.IndexOf("run run-7: running", StringComparison.Ordinal));
        Assert.Contains("run run-7: promoted", progress, StringComparison.Ordinal);
        Assert.All(api.Keys, key => Assert.Equal("k1", key));
        Assert.Equal(0, api.Remaining);
    }

    [Fact]
    public async Task TrainWait_AFailedRun_ExitsOne()
    {
        var api = new ScriptedApi(
            ("POST /api/admin/retrain", """{"runId":"r"}"""),
            ("GET /api/admin/training/r", """{"runId":"r","status":"failed","error":"store down"}"""));

        Assert.Equal(CliApp.InputError, await ModelsCommand.RunAsync(["train", "--wait", "--interval", "0", "--url", "http://app.test"], TextWriter.Null, TextWriter.Null, api));
    }

    [Fact]
    public async Task Show_EscapesTheVersion_AndSendsTheBearerToken()
    {
        var api = new ScriptedApi(("GET /api/admin/models/a%2Fb", """{"version":"a/b"}"""));
        var stdout = new StringWriter();

        var code = await ModelsCommand.RunAsync(["show", "a/b", "--url", "http://app.test/", "--token", "t0k"], stdout, TextWriter.Null, api);

        Assert.Equal(CliApp.Success, code);
        Assert.Equal("""{"version":"a/b"}""", stdout.ToString().Trim());
        Assert.Equal("Bearer t0k", Assert.Single(api.Authorizations));
    }

    [Theory]
    [InlineData(new[] { "list" }, "--url")]
    [InlineData(new[] { "list", "--url", "not a url" }, "not a url")]
    [InlineData(new[] { "show", "--url", "http://app.test" }, "VERSION")]
    public async Task MissingOrBadArguments_AreAUsageError(string[] args, string named)
    {
        var stderr = new StringWriter();

        Assert.Equal(CliApp.UsageError, await ModelsCommand.RunAsync(args, TextWriter.Null, stderr, new ScriptedApi()));
        Assert.Contains(named, stderr.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"entries":12,"headSequence":12,"headHash":"ab","firstBreak":null}""", 0)]
    [InlineData("""{"entries":12,"headSequence":7,"headHash":"ab","firstBreak":{"sequence":8,"reason":"missing"}}""", 1)]
    public async Task AuditVerify_PrintsTheReport_AndExitsOneOnABrokenChain(string report, int exitCode)
    {
        var api = new ScriptedApi(("GET /api/privacy/audit/verify", report));
        var stdout = new StringWriter();

        var code = await CliApp.RunAsync(["audit", "verify", "--url", "http://app.test", "--token", "t"], stdout, TextWriter.Null, handler: api);

        Assert.Equal(exitCode, code);
        Assert.Equal(report, stdout.ToString().Trim());
        Assert.Equal("Bearer t", Assert.Single(api.Authorizations));
    }

    /// <summary>Answers the scripted requests in order; anything else is a 404.</summary>
    private sealed class ScriptedApi(params (string Request, string Body)[] script) : HttpMessageHandler
    {
        private readonly Queue<(string Request, string Body)> _script = new(script);

        public List<string?> Keys { get; } = [];

        public List<string?> Authorizations { get; } = [];

        public int Remaining => _script.Count;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Keys.Add(request.Headers.TryGetValues("x-functions-key", out var keys) ? keys.Single() : null);
            Authorizations.Add(request.Headers.Authorization?.ToString());
            var asked = $"{request.Method} {request.RequestUri!.AbsolutePath}";
            if (_script.Count == 0 || _script.Peek().Request != asked)
            {
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent($"not scripted: {asked}") });
            }

            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(_script.Dequeue().Body, Encoding.UTF8, "application/json") });
        }
    }
}
