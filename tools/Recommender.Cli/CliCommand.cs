using System.CommandLine;
using System.Globalization;

namespace Recommender.Cli;

/// <summary>
/// A command with a one-line usage, printed under a parse error (the full text is its <c>--help</c>).
/// </summary>
internal sealed class CliCommand(string name, string description, string usage) : Command(name, description)
{
    public string Usage { get; } = usage;
}

/// <summary>Validators shared by the commands' options.</summary>
internal static class OptionRules
{
    /// <summary>The option's value must be a positive integer.</summary>
    public static Option<int> Positive(this Option<int> option)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && result.GetValueOrDefault<int>() <= 0)
            {
                result.AddError($"{option.Name} must be a positive integer, got '{result.Tokens[^1].Value}'");
            }
        });
        return option;
    }

    /// <summary>The option's value must be one of <paramref name="values"/> (any case); completions offer them.</summary>
    public static Option<string> OneOf(this Option<string> option, params string[] values)
    {
        option.CompletionSources.Add(values);
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (value is not null && !values.Contains(value.ToLowerInvariant(), StringComparer.Ordinal))
            {
                result.AddError($"{option.Name} must be one of {string.Join(", ", values)}, got '{value}'");
            }
        });
        return option;
    }

    /// <summary>The option's value must be an absolute URL.</summary>
    public static Option<string> AbsoluteUrl(this Option<string> option)
    {
        option.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (value is not null && !Uri.TryCreate(value, UriKind.Absolute, out _))
            {
                result.AddError(string.Create(CultureInfo.InvariantCulture, $"'{value}' is not an absolute URL."));
            }
        });
        return option;
    }
}
