using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Recommender.Domain;

/// <summary>
/// The one way options are registered: bound to their section, validated by a source-generated
/// validator (<c>[OptionsValidator]</c> over the options' data annotations, no reflection), and
/// validated at start (<c>ValidateOnStart</c>), so a bad setting stops the app with a message naming it.
/// </summary>
public static class ValidatedOptions
{
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions, TValidator>(this IServiceCollection services, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
        return services.AddOptions<TOptions>().BindConfiguration(section).ValidateOnStart();
    }
}
