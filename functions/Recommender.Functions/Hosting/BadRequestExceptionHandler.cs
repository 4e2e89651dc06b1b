using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Recommender.Functions.Hosting;

/// <summary>
/// The one place bad input that never reaches a handler is answered: a route parameter, query value or
/// JSON body that minimal APIs cannot bind (malformed JSON, a wrong JSON type, <c>?from=notadate</c>)
/// throws <see cref="BadHttpRequestException"/> in every environment (<c>ThrowOnBadRequest</c>), and this
/// handler turns it into 4xx RFC 7807 validation problem details naming the field (the JSON path of a
/// wrong type, the parameter's name, or <c>body</c> for JSON that does not parse) — never a 500 or a
/// stack trace. Anything else goes on to the default handler (500, no details).
/// </summary>
public sealed partial class BadRequestExceptionHandler(IProblemDetailsService problemDetails, ILogger<BadRequestExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (exception is not BadHttpRequestException bad || httpContext.Response.HasStarted)
        {
            return false;
        }

        var (field, message) = Describe(bad);
        LogRefused(logger, bad.StatusCode, field);
        httpContext.Response.StatusCode = bad.StatusCode;
        var problem = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = bad.StatusCode,
            Title = bad.StatusCode == StatusCodes.Status400BadRequest ? "One or more validation errors occurred." : null,
        };
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = null })
            .ConfigureAwait(false);
    }

    /// <summary>Which field was bad and why, without echoing the value sent.</summary>
    public static (string Field, string Message) Describe(BadHttpRequestException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var json = exception.InnerException as JsonException;
        if (json is not null)
        {
            // A syntax error is the reader's exception wrapped with the path it stopped at; a wrong type is the serializer's own.
            var syntax = json.InnerException is JsonException || json.GetType() != typeof(JsonException);
            if (!syntax && json.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal))
            {
                var field = path[2..];
                var bracket = field.IndexOf('[', StringComparison.Ordinal);
                return (bracket > 0 ? field[..bracket] : field, $"{field} has the wrong JSON type");
            }

            return ("body", json.LineNumber is { } line ? $"the body is not valid JSON (line {line + 1}, byte {json.BytePositionInLine + 1})" : "the body is not valid JSON");
        }

        if (exception.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return ("body", "the body must be sent as application/json");
        }

        var parameter = ParameterName().Match(exception.Message);
        var name = parameter.Success ? parameter.Groups["name"].Value : "body";
        if (exception.Message.Contains("request body", StringComparison.OrdinalIgnoreCase) || exception.Message.Contains("no body was provided", StringComparison.OrdinalIgnoreCase))
        {
            return ("body", "the body must be a JSON object");
        }

        return (name, exception.Message.StartsWith("Required", StringComparison.Ordinal) ? $"{name} is required" : $"{name} has an invalid value");
    }

    [GeneratedRegex("parameter \"(?:[^\"]*\\s)?(?<name>[A-Za-z_][A-Za-z0-9_]*)\"", RegexOptions.CultureInvariant)]
    private static partial Regex ParameterName();

    [LoggerMessage(Level = LogLevel.Information, Message = "Bad request refused with {StatusCode}: field {Field}")]
    private static partial void LogRefused(ILogger logger, int statusCode, string field);
}
