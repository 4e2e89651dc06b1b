using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Recommender.Domain.Ports.Storage;

/// <summary>
/// The handler of each queue of <c>queues.json</c>. Each class that reads a queue (the workflows, and the erasure, cache-refresh,
/// training and delivery services) declares its own queue step (<see cref="IQueueStep{TMessage}"/>: its queue, when a message is
/// complete, what it runs), found here in this assembly: no line to add here, and no list of queue names to keep.
/// The app refuses to start when the handlers and the registry disagree (a queue with no handler or two, a handler
/// for a queue the registry does not declare): checked on the handlers' descriptors, without constructing any step.
/// </summary>
public static class QueueHandlers
{
    private static readonly MethodInfo AddQueueStepMethod =
        typeof(QueueHandlerServiceCollectionExtensions).GetMethod(nameof(QueueHandlerServiceCollectionExtensions.AddQueueStep))!;

    public static IServiceCollection AddQueueHandlers(this IServiceCollection services)
    {
        foreach (var (step, message) in QueueSteps(typeof(QueueHandlers).Assembly))
        {
            AddQueueStepMethod.MakeGenericMethod(step, message).Invoke(null, [services]);
        }

        return services.AddQueueHandlerCheck();
    }

    /// <summary>The queue steps of <paramref name="assembly"/>: each concrete class implementing <see cref="IQueueStep{TMessage}"/>, with its message type.</summary>
    public static IReadOnlyList<(Type Step, Type Message)> QueueSteps(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        return [.. assembly.GetTypes()
            .Where(type => type is { IsClass: true, IsAbstract: false, IsGenericTypeDefinition: false })
            .SelectMany(type => type.GetInterfaces()
                .Where(contract => contract.IsGenericType && contract.GetGenericTypeDefinition() == typeof(IQueueStep<>))
                .Select(contract => (Step: type, Message: contract.GetGenericArguments()[0])))
            .OrderBy(step => step.Step.FullName, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The start-up check (<c>ValidateOnStart</c>): the host refuses to start when the registered handlers'
    /// descriptors (<see cref="QueueHandlerDescriptor"/>) and the registry disagree, naming each disagreement.
    /// </summary>
    public static IServiceCollection AddQueueHandlerCheck(this IServiceCollection services)
    {
        services.AddOptions<QueueHandlerCheck>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QueueHandlerCheck>, QueueHandlerCheckValidator>());
        return services;
    }
}

/// <summary>The options the start-up check of the queue handlers validates (it has no settings).</summary>
public sealed class QueueHandlerCheck;

internal sealed class QueueHandlerCheckValidator(IEnumerable<QueueHandlerDescriptor> descriptors) : IValidateOptions<QueueHandlerCheck>
{
    public ValidateOptionsResult Validate(string? name, QueueHandlerCheck options)
    {
        var problems = QueueRegistry.Mismatches(descriptors.Select(descriptor => descriptor.Queue));
        return problems.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"The queue handlers do not match the queue registry (Ports/Storage/queues.json): {string.Join("; ", problems)}.");
    }
}
