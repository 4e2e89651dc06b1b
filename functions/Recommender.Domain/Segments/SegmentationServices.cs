using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Recommender.Domain.Segments;

/// <summary>Registration of the segmentation workflow, its queries and its options (validated at start).</summary>
public static class SegmentationServices
{
    public static IServiceCollection AddSegmentation(this IServiceCollection services)
    {
        services.AddSingleton<SegmentationWorkflow>();
        services.AddSingleton<SegmentQueries>();
        services.AddSingleton<SegmentMembership>();
        services.AddSingleton<Workflows.LifecycleScores>();
        services.AddOptions<SegmentationOptions>().BindConfiguration(SegmentationOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SegmentationOptions>, SegmentationOptionsValidator>();
        return services;
    }
}

/// <summary>Refuses a <c>Recommender:Segmentation</c> section with any error, naming them all.</summary>
public sealed class SegmentationOptionsValidator : IValidateOptions<SegmentationOptions>
{
    public ValidateOptionsResult Validate(string? name, SegmentationOptions options) =>
        options.Validate() is { Count: > 0 } errors
            ? ValidateOptionsResult.Fail(errors.Select(e => $"{SegmentationOptions.Section}: {e}"))
            : ValidateOptionsResult.Success;
}
