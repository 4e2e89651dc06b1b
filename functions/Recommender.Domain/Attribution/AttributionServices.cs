using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Recommender.Domain.Attribution;

/// <summary>Registration of attribution: the recorder ingestion calls, the store, the report and the options (validated at start).</summary>
public static class AttributionServices
{
    public static IServiceCollection AddAttribution(this IServiceCollection services)
    {
        services.AddSingleton<AttributionStore>();
        services.AddSingleton<AttributionRecorder>();
        services.AddSingleton<AttributionReports>();
        services.AddOptions<AttributionOptions>().BindConfiguration(AttributionOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AttributionOptions>, AttributionOptionsValidator>();
        return services;
    }
}

/// <summary>Refuses a <c>Recommender:Attribution</c> section with any error, naming them all.</summary>
public sealed class AttributionOptionsValidator : IValidateOptions<AttributionOptions>
{
    public ValidateOptionsResult Validate(string? name, AttributionOptions options) =>
        options.Validate() is { Count: > 0 } errors
            ? ValidateOptionsResult.Fail(errors.Select(e => $"{AttributionOptions.Section}: {e}"))
            : ValidateOptionsResult.Success;
}
