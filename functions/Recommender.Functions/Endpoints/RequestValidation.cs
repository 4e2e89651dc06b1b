namespace Recommender.Functions.Endpoints;

/// <summary>
/// A request record bound with <c>[AsParameters]</c> that checks its own values. The endpoint filter added by
/// <see cref="RequestValidation.Validated{TRequest}"/> calls <see cref="Validate"/> before the handler runs and
/// answers 400 RFC 7807 validation problem details naming every bad field, so a handler only sees valid requests.
/// </summary>
public interface IValidatedRequest
{
    /// <summary>Null when every value is valid; otherwise the messages by field (the query or route parameter's name).</summary>
    Dictionary<string, string[]>? Validate();
}

/// <summary>Validation of <see cref="IValidatedRequest"/> records in an endpoint filter.</summary>
public static class RequestValidation
{
    /// <summary>
    /// Validates the handler's <typeparamref name="TRequest"/> argument before the handler runs: a 400
    /// <c>ValidationProblem</c> (with <paramref name="title"/>, or the default "One or more validation errors
    /// occurred.") when <see cref="IValidatedRequest.Validate"/> finds errors. The OpenAPI document lists the 400.
    /// </summary>
    public static RouteHandlerBuilder Validated<TRequest>(this RouteHandlerBuilder builder, string? title = null)
        where TRequest : class, IValidatedRequest
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddEndpointFilterFactory((factory, next) =>
        {
            var index = Array.FindIndex(factory.MethodInfo.GetParameters(), p => p.ParameterType == typeof(TRequest));
            if (index < 0)
            {
                throw new InvalidOperationException($"{factory.MethodInfo.Name} takes no {typeof(TRequest).Name} to validate");
            }

            return context => context.GetArgument<TRequest>(index).Validate() is { } errors
                ? ValueTask.FromResult<object?>(TypedResults.ValidationProblem(errors, title: title))
                : next(context);
        });
        return builder.ProducesValidationProblem();
    }
}
