using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Recommender.Domain.Ports.Telemetry;

namespace Recommender.Functions.Hosting;

/// <summary>
/// Settings of <c>Recommender:Telemetry</c>. Telemetry is on when an exporter is configured
/// (Azure Monitor, OTLP or the console), off otherwise, so tests and a plain <c>dotnet run</c> stay quiet.
/// </summary>
public sealed class TelemetryOptions
{
    public const string Section = "Recommender:Telemetry";

    /// <value>Forces telemetry on (true: the providers run even with no exporter, as the tests' in-memory exporter needs) or off (false). Default: on when an exporter is configured.</value>
    public bool? Enabled { get; set; }

    /// <value>Writes spans and metrics to the console (local development).</value>
    public bool Console { get; set; }

    /// <value>An OTLP endpoint (<c>http://localhost:4317</c>); the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> works too.</value>
    public Uri? OtlpEndpoint { get; set; }

    /// <value>The service name on every span and metric (<c>OTEL_SERVICE_NAME</c> overrides it).</value>
    public string ServiceName { get; set; } = "recommender";
}

/// <summary>
/// OpenTelemetry traces and metrics of the handler: ASP.NET Core and HttpClient instrumentation, and
/// the app's own source and meter (<see cref="RecommenderTelemetry"/>: ingestion batches, served lists
/// and cache hits, workflow steps, webhook deliveries, training runs). Exported to Azure Monitor when
/// <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set (Bicep sets it, with Entra ID authentication
/// by the app's managed identity), to an OTLP endpoint or the console when configured. Every span
/// passes <see cref="PersonalDataScrubber"/> before any exporter.
/// </summary>
public static class TelemetryExtensions
{
    /// <summary>The Azure Monitor connection string app setting (Bicep: functionapp.bicep).</summary>
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>How the Functions host authenticates to Application Insights; its <c>ClientId</c> names the managed identity.</summary>
    public const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    public static IServiceCollection AddRecommenderTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var azureMonitor = configuration[ConnectionStringSetting] is { Length: > 0 } connection ? connection : null;
        var otlp = options.OtlpEndpoint ?? (configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is { Length: > 0 } endpoint ? new Uri(endpoint) : null);
        if (!(options.Enabled ?? (azureMonitor is not null || otlp is not null || options.Console)))
        {
            return services;
        }

        var credential = azureMonitor is null ? null : Credential(configuration);
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : options.ServiceName))
            .WithTracing(tracing =>
            {
                tracing.AddSource(RecommenderTelemetry.Name)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    // First: no exporter below sees a span before its personal data is gone.
                    .AddProcessor(new PersonalDataScrubber());
                if (azureMonitor is not null)
                {
                    tracing.AddAzureMonitorTraceExporter(o => Configure(o, azureMonitor), credential);
                }

                if (otlp is not null)
                {
                    tracing.AddOtlpExporter(o => o.Endpoint = otlp);
                }

                if (options.Console)
                {
                    tracing.AddConsoleExporter();
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(RecommenderTelemetry.Name)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation();
                if (azureMonitor is not null)
                {
                    metrics.AddAzureMonitorMetricExporter(o => Configure(o, azureMonitor), credential);
                }

                if (otlp is not null)
                {
                    metrics.AddOtlpExporter(o => o.Endpoint = otlp);
                }

                if (options.Console)
                {
                    metrics.AddConsoleExporter();
                }
            });
        return services;
    }

    private static void Configure(AzureMonitorExporterOptions options, string connectionString)
    {
        options.ConnectionString = connectionString;
        // Live metrics stream request URLs as they arrive; the scrubbed spans are what leaves the app.
        options.EnableLiveMetrics = false;
    }

    /// <summary>
    /// Application Insights with local authentication off accepts telemetry from Entra ID only: the
    /// user-assigned identity the host's authentication string names (Bicep), else
    /// <c>Recommender:Azure:ManagedIdentityClientId</c>; none of them: the connection string alone.
    /// </summary>
    internal static TokenCredential? Credential(IConfiguration configuration)
    {
        var authentication = configuration[AuthenticationStringSetting] ?? string.Empty;
        var clientId = authentication.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .Where(pair => pair.Length == 2 && pair[0].Equals("ClientId", StringComparison.OrdinalIgnoreCase))
            .Select(pair => pair[1])
            .FirstOrDefault() ?? configuration["Recommender:Azure:ManagedIdentityClientId"];
        if (clientId is { Length: > 0 })
        {
            return new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
        }

        return authentication.Contains("Authorization=AAD", StringComparison.OrdinalIgnoreCase) ? new DefaultAzureCredential() : null;
    }
}
