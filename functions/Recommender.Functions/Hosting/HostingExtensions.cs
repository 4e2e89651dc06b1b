using Microsoft.Extensions.Options;
using Recommender.Adapters.Azure;
using Recommender.Adapters.Embedded;
using Recommender.Adapters.Http;
using Recommender.Domain;
using Recommender.Domain.Ports;
using Recommender.Domain.Webhooks;
using Recommender.Functions.Endpoints;
using Recommender.Functions.Invocations;
using Recommender.Functions.Messaging;
using Recommender.Functions.Security;
using Recommender.Functions.Seeding;

namespace Recommender.Functions.Hosting;

public static class HostingExtensions
{
    /// <summary>Set by the Functions host: the port the custom handler must listen on.</summary>
    public const string CustomHandlerPortVariable = "FUNCTIONS_CUSTOMHANDLER_PORT";
    /// <summary>Largest invocation payload accepted (Event Hubs batches arrive whole).</summary>
    public const long MaxInvocationBytes = 64L * 1024 * 1024;

    public static WebApplicationBuilder AddRecommender(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var underFunctionsHost = configuration[CustomHandlerPortVariable] is { Length: > 0 } port;
        if (underFunctionsHost)
        {
            builder.WebHost.UseUrls($"http://127.0.0.1:{configuration[CustomHandlerPortVariable]}");
        }

        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = MaxInvocationBytes;
            k.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
        });

        var options = configuration.GetSection(RecommenderOptions.Section).Get<RecommenderOptions>() ?? new RecommenderOptions();
        var services = builder.Services;
        services.AddSingleton(Options.Create(options));
        if (new RecommenderOptionsValidator().Validate(RecommenderOptions.Section, options) is { Failed: true } invalid)
        {
            throw new OptionsValidationException(RecommenderOptions.Section, typeof(RecommenderOptions), invalid.Failures);
        }

        if (options.RenderedItemsMegabytes > 0)
        {
            services.AddSingleton(new Endpoints.RenderedItems(options.RenderedItemsMegabytes * 1024L * 1024L));
        }

        switch (options.Mode)
        {
            case StorageMode.Embedded:
                services.AddEmbeddedAdapters(Path.GetFullPath(options.DataDirectory, builder.Environment.ContentRootPath),
                    configuration.GetValue($"{EmbeddedOptions.Section}:{nameof(EmbeddedOptions.DocumentCacheEntries)}", EmbeddedOptions.DefaultDocumentCacheEntries));
                break;
            case StorageMode.Azure:
                var azure = configuration.GetSection("Recommender:Azure").Get<AzureOptions>()
                    ?? throw new InvalidOperationException("Recommender:Mode is Azure but the Recommender:Azure section is missing");
                services.AddAzureAdapters(azure);
                break;
            default:
                throw new InvalidOperationException($"unknown Recommender:Mode '{options.Mode}'");
        }

        services.AddRecommenderDomain();
        services.AddOptions<WebhookOptions>().Bind(configuration.GetSection(WebhookOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebhookOptions>>(new WebhookOptionsValidator(configuration));
        // Webhooks go over HTTPS in both modes: the transport is the HTTP adapter whichever store set runs.
        // It bounds each POST itself (Recommender:Webhooks:Timeout, on the TimeProvider).
        services.AddHttpClient<IWebhookTransport, HttpWebhookTransport>(client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.AddTransient<WebhookSender>();

        services.AddSingleton<QueueDispatcher>();
        services.AddValidatedOptions<QueuePumpOptions, QueuePumpOptionsValidator>(QueuePumpOptions.Section);
        services.AddSingleton<LocalQueuePump>();
        // Under the Functions host the host's queue triggers deliver messages; otherwise the pump does.
        var pumpEnabled = !underFunctionsHost && configuration.GetValue(QueuePumpOptions.Section + ":Enabled", true);
        if (pumpEnabled)
        {
            services.AddHostedService(sp => sp.GetRequiredService<LocalQueuePump>());
        }

        // Likewise the timers: the host's timer triggers, or the local scheduler.
        services.AddValidatedOptions<SchedulerOptions, SchedulerOptionsValidator>(SchedulerOptions.Section);
        if (!underFunctionsHost && configuration.GetValue(SchedulerOptions.Section + ":Enabled", true))
        {
            services.AddHostedService<LocalScheduler>();
        }

        services.AddValidatedOptions<SeedOptions, SeedOptionsValidator>(SeedOptions.Section);
        if (configuration.GetValue(SeedOptions.Section + ":Enabled", false))
        {
            services.AddHostedService<SampleDataSeeder>();
        }

        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = Json.Options.PropertyNamingPolicy;
            o.SerializerOptions.DefaultIgnoreCondition = Json.Options.DefaultIgnoreCondition;
            foreach (var converter in Json.Options.Converters)
            {
                o.SerializerOptions.Converters.Add(converter);
            }
        });
        services.AddProblemDetails();
        // Binding failures throw in every environment, so that BadRequestExceptionHandler answers them
        // alike (400 problem details naming the field) instead of a bare 400 here and a 500 there.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        services.AddStorefrontSecurity(configuration);
        services.AddOperatorAuth(configuration);
        services.AddRecommenderOpenApi();
        services.AddRecommenderHealthChecks();
        services.AddRecommenderTelemetry(configuration);
        builder.Logging.AddPersonalDataFilters();
        return builder;
    }

    /// <summary>
    /// On the embedded adapters, opens the document store now so that a data folder another instance
    /// holds is reported as one line on <paramref name="error"/> (false: the caller exits with 1)
    /// rather than as a stack trace at the first request or hosted service. Always true in Azure mode.
    /// </summary>
    public static bool ClaimDataFolder(this WebApplication app, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(error);
        if (app.Services.GetService<EmbeddedOptions>() is not { } embedded)
        {
            return true;
        }

        try
        {
            _ = app.Services.GetRequiredService<Domain.Ports.IDocumentStore>();
            return true;
        }
        catch (DataFolderInUseException)
        {
            error.WriteLine($"The data folder '{embedded.DataDirectory}' is in use by another Recommender instance: stop it, or give this one its own folder (--Recommender:DataDirectory=<path>).");
            return false;
        }
    }

    public static WebApplication MapRecommender(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseStorefrontSecurity();
        app.UseOperatorAuth();
        app.MapOpenApi(OpenApiExtensions.DocumentPath);
        app.MapFunctionInvocations();
        app.MapEventsApi();
        app.MapRecommendationsApi();
        app.MapPrivacyApi();
        app.MapAdminApi();
        app.MapExperimentsApi();
        app.MapHealthApi();
        return app;
    }
}
