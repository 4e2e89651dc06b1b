using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Recommender.Functions.PackageTests;

/// <summary>
/// The published executable, started the way the Functions host starts a custom handler: from the
/// package root with <c>FUNCTIONS_CUSTOMHANDLER_PORT</c> set. The host gives it 60 seconds to listen.
/// Needs a linux-x64 machine, like the package itself.
/// </summary>
[Collection(PublishedPackageCollection.Name)]
public sealed class PublishedExecutableTests(PublishedPackage package)
{
    private static readonly TimeSpan ListenDeadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Published_Executable_ListensOnTheHandlerPortAndAnswersInvocations()
    {
        using var data = new TempDirectory("handler-data");
        var port = FreePort();
        var executable = package.HostJson.GetProperty("customHandler").GetProperty("description").GetProperty("defaultExecutablePath").GetString()!;
        var start = new ProcessStartInfo(Path.Combine(package.Root, executable))
        {
            WorkingDirectory = package.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Recommender__Mode"] = "Embedded";
        start.Environment["Recommender__DataDirectory"] = data.Path;
        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        start.Environment.Remove("ASPNETCORE_URLS");

        var output = new StringBuilder();
        using var handler = new Process { StartInfo = start };
        handler.OutputDataReceived += (_, e) => Append(output, e.Data);
        handler.ErrorDataReceived += (_, e) => Append(output, e.Data);
        handler.Start();
        handler.BeginOutputReadLine();
        handler.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            var health = await WaitUntilListeningAsync(http, handler, output);
            Assert.Equal(HttpStatusCode.OK, health);

            using var invocation = new StringContent(HostPayloads.EventHubBatch([HostPayloads.ValidEvent("exe-1", "customer-exe"), "not json"]).ToJsonString(),
                Encoding.UTF8, "application/json");
            using var response = await http.PostAsync("/IngestClickstream", invocation);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"POST /IngestClickstream answered {(int)response.StatusCode}: {body}\n{Text(output)}");
            using var reply = JsonDocument.Parse(body);
            HostPayloads.AssertEnvelope(reply.RootElement);
        }
        finally
        {
            if (!handler.HasExited)
            {
                handler.Kill(entireProcessTree: true);
                await handler.WaitForExitAsync();
            }
        }
    }

    private static async Task<HttpStatusCode> WaitUntilListeningAsync(HttpClient http, Process handler, StringBuilder output)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            Assert.False(handler.HasExited, $"the handler exited with code {(handler.HasExited ? handler.ExitCode : 0)}:\n{Text(output)}");
            try
            {
                using var response = await http.GetAsync("/api/health");
                return response.StatusCode;
            }
            catch (HttpRequestException) when (deadline.Elapsed < ListenDeadline)
            {
                await Task.Delay(250);
            }
            catch (HttpRequestException ex)
            {
                Assert.Fail($"the handler did not listen within {ListenDeadline.TotalSeconds} s ({ex.Message}):\n{Text(output)}");
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
