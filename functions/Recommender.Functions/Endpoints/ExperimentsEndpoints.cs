using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Recommender.Domain;
using Recommender.Domain.Events;
using Recommender.Domain.Experiments;

namespace Recommender.Functions.Endpoints;

/// <summary>
/// The data team's experiment endpoints: create or replace a definition, read it, and read its
/// report. In Azure these are functions with <c>authLevel: function</c>. Serving assigns variants
/// through <see cref="ExperimentAssigner"/>; outcomes arrive through the event pipeline.
/// </summary>
public static class ExperimentsEndpoints
{
    public const int MaxDefinitionBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapExperimentsApi(this IEndpointRouteBuilder app)
    {
        var experiments = app.MapGroup(ApiRoutes.Admin + "/experiments").WithTags(ApiRoutes.ExperimentsTag);
        experiments.MapPut("/{id}", PutExperimentAsync).WithName("api-experiment-put")
            .WithJsonBody<ExperimentDraft>("The definition: placement, variants with their weights, start and end.")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .WithSummary("Create or replace an experiment definition");
        experiments.MapGet("/{id}", GetExperimentAsync).WithName("api-experiment").WithSummary("An experiment definition");
        experiments.MapGet("/{id}/report", GetReportAsync).WithName("api-experiment-report")
            .WithSummary("Per-variant outcomes with 95 % intervals, comparisons with the control, and the sample-ratio check");
        return app;
    }

    /// <summary>Creates or replaces a definition; 400 names each invalid field, and an overlapping experiment on the same placement.</summary>
    private static async Task<Results<Ok<ExperimentDefinition>, ValidationProblem, ProblemHttpResult>> PutExperimentAsync(
        string id, HttpRequest request, ExperimentStore experiments, CancellationToken cancellationToken)
    {
        var (body, tooLarge) = await RequestBody.ReadAsync(request, MaxDefinitionBytes, cancellationToken).ConfigureAwait(false);
        if (tooLarge)
        {
            return TypedResults.Problem($"the definition is larger than {MaxDefinitionBytes} bytes", statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        ExperimentDraft? draft;
        try
        {
            draft = JsonSerializer.Deserialize<ExperimentDraft>(string.IsNullOrWhiteSpace(body) ? "null" : body, Json.Options);
        }
        catch (JsonException ex)
        {
            var field = ex.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "body";
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = ["has the wrong type or is not valid JSON"] });
        }

        if (draft is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["must be a JSON object"] });
        }

        var (definition, errors) = draft.Validate(id);
        if (definition is null)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await experiments.FindOverlappingAsync(definition, cancellationToken).ConfigureAwait(false) is { } other)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["placement"] = [$"experiment '{other.Id}' runs on '{other.Placement}' from {other.StartsAt:O} to {other.EndsAt:O}; one experiment per placement at a time"],
            });
        }

        await experiments.SaveAsync(definition, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(definition);
    }

    private static async Task<Results<Ok<ExperimentDefinition>, NotFound>> GetExperimentAsync(string id, ExperimentStore experiments, CancellationToken cancellationToken) =>
        EventValidator.IsValidId(id) && await experiments.GetAsync(id, cancellationToken).ConfigureAwait(false) is { } definition
            ? TypedResults.Ok(definition) : TypedResults.NotFound();

    /// <summary>Per-variant outcomes with 95 % intervals, comparisons with the control, and the sample-ratio check.</summary>
    private static async Task<Results<Ok<ExperimentReport>, NotFound>> GetReportAsync(string id, ExperimentStore experiments, CancellationToken cancellationToken) =>
        EventValidator.IsValidId(id) && await experiments.GetReportAsync(id, cancellationToken).ConfigureAwait(false) is { } report
            ? TypedResults.Ok(report) : TypedResults.NotFound();
}
