using System.ComponentModel;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Recommender.Domain;
using Recommender.Domain.Catalog;
using Recommender.Domain.Events;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Training;

namespace Recommender.Functions.Endpoints;

/// <summary>The served pointer and every model version.</summary>
public sealed record ModelCatalog(CurrentModel? Current, IReadOnlyList<ModelManifest> Versions);

/// <summary>The catalog upload's query parameters.</summary>
public sealed record CatalogReplacement(
    [property: FromQuery(Name = "confirmRemoval"), Description("true to replace the catalog even when it would remove more than the configured share of the current products.")]
    bool? ConfirmRemoval);

/// <summary>
/// The data team's endpoints: training runs on demand and their status, model versions with their
/// metrics, rollback and pinning, and catalog upload. In Azure these are functions with
/// <c>authLevel: function</c>.
/// </summary>
public static class AdminEndpoints
{
    public const int MaxCatalogBytes = 32 * 1024 * 1024;

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var training = app.MapGroup(ApiRoutes.Admin).WithTags(ApiRoutes.ModelsTag);
        training.MapPost("/retrain", RetrainAsync).WithName("api-retrain").WithSummary("Start a training run");
        training.MapGet("/training/{runId}", GetTrainingRunAsync).WithName("api-training-run").WithSummary("A training run's status");
        training.MapGet("/models", ListModelsAsync).WithName("api-models").WithSummary("The served model and every version with its metrics");
        training.MapGet("/models/{version}", GetModelAsync).WithName("api-model").WithSummary("One model version's manifest");
        training.MapPost("/models/{version}/rollback", (string version, ModelStore models, CancellationToken ct) => PointAsync(version, pinned: false, models, ct))
            .WithName("api-model-rollback").ProducesProblem(StatusCodes.Status409Conflict).WithSummary("Serve an earlier version");
        training.MapPost("/models/{version}/pin", (string version, ModelStore models, CancellationToken ct) => PointAsync(version, pinned: true, models, ct))
            .WithName("api-model-pin").ProducesProblem(StatusCodes.Status409Conflict).WithSummary("Serve a version and keep training from moving it");
        training.MapDelete("/models/pin", UnpinAsync).WithName("api-model-unpin").WithSummary("Let training move the served version again");
        app.MapWorkflowApi();
        app.MapSegmentsApi();
        app.MapAttributionApi();
        app.MapBanditApi();
        app.MapGroup(ApiRoutes.Admin).WithTags(ApiRoutes.CatalogTag)
            .MapPut("/catalog", PutCatalogAsync).WithName("api-catalog")
            .WithJsonBody<List<Product>>("Every product of the catalog.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .WithSummary("Replace the catalog")
            .WithDescription("A JSON array of products. A replacement that would remove more than Recommender:Catalog:MaxRemovedShare of the current products is refused with 409 unless confirmRemoval is true.");
        return app;
    }

    /// <summary>Starts a training run (queued); its status is at the Location.</summary>
    private static async Task<Accepted<TrainingRun>> RetrainAsync(TrainingWorkflow training, CancellationToken cancellationToken)
    {
        var run = await training.StartAsync("on-demand", cancellationToken).ConfigureAwait(false);
        return TypedResults.Accepted($"/api/admin/training/{run.RunId}", run);
    }

    private static async Task<Results<Ok<TrainingRun>, NotFound>> GetTrainingRunAsync(string runId, TrainingWorkflow training, CancellationToken cancellationToken) =>
        EventValidator.IsValidId(runId) && await training.GetAsync(runId, cancellationToken).ConfigureAwait(false) is { } run ? TypedResults.Ok(run) : TypedResults.NotFound();

    /// <summary>What is served (and whether it is pinned), and every version with its metrics, newest first.</summary>
    private static async Task<Ok<ModelCatalog>> ListModelsAsync(ModelStore models, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ModelCatalog(await models.GetPointerAsync(cancellationToken).ConfigureAwait(false), await models.ListAsync(cancellationToken).ConfigureAwait(false)));

    private static async Task<Results<Ok<ModelManifest>, NotFound>> GetModelAsync(string version, ModelStore models, CancellationToken cancellationToken) =>
        IsVersion(version) && await models.GetManifestAsync(version, cancellationToken).ConfigureAwait(false) is { } manifest ? TypedResults.Ok(manifest) : TypedResults.NotFound();

    /// <summary>Rollback (serve an earlier version) or pin (serve it and keep training from moving it).</summary>
    private static async Task<Results<Ok<CurrentModel>, NotFound, ProblemHttpResult>> PointAsync(string version, bool pinned, ModelStore models, CancellationToken cancellationToken)
    {
        if (!IsVersion(version))
        {
            return TypedResults.NotFound();
        }

        try
        {
            return TypedResults.Ok(await models.PointToAsync(version, pinned ? "pinned by the data team" : "rolled back by the data team", pinned, cancellationToken).ConfigureAwait(false));
        }
        catch (KeyNotFoundException)
        {
            return TypedResults.NotFound();
        }
        catch (ModelVersionUnavailableException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status409Conflict);
        }
    }

    private static async Task<Results<Ok<CurrentModel>, NotFound>> UnpinAsync(ModelStore models, CancellationToken cancellationToken)
    {
        if (await models.GetPointerAsync(cancellationToken).ConfigureAwait(false) is not { } pointer)
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Ok(pointer.Pinned ? await models.PointToAsync(pointer.Version, "unpinned by the data team", pinned: false, cancellationToken).ConfigureAwait(false) : pointer);
    }

    private static bool IsVersion(string version) => EventValidator.IsValidId(version);

    /// <summary>
    /// Replaces the catalog. A replacement that would remove more than <see cref="CatalogOptions.MaxRemovedShare"/>
    /// of the current products (an empty or truncated upload, most often) is refused with 409 unless
    /// <paramref name="confirmRemoval"/> is true.
    /// </summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> PutCatalogAsync(HttpRequest request, [AsParameters] CatalogReplacement replacement, CatalogProvider catalog,
        Microsoft.Extensions.Options.IOptions<CatalogOptions> catalogOptions, CancellationToken cancellationToken)
    {
        var confirmRemoval = replacement.ConfirmRemoval;
        var (body, tooLarge) = await RequestBody.ReadAsync(request, MaxCatalogBytes, cancellationToken).ConfigureAwait(false);
        if (tooLarge)
        {
            return TypedResults.Problem($"the catalog is larger than {MaxCatalogBytes} bytes", statusCode: 413);
        }

        List<Product>? products;
        try
        {
            products = JsonSerializer.Deserialize<List<Product>>(body ?? "", Json.Options);
        }
        catch (JsonException ex)
        {
            return TypedResults.Problem($"the catalog must be a JSON array of products: {ex.Message}", statusCode: 400);
        }

        var invalid = products?.FirstOrDefault(p => !EventValidator.IsValidId(p.Id) || string.IsNullOrWhiteSpace(p.Name) || p.Price < 0);
        if (products is null || invalid is not null)
        {
            return TypedResults.Problem(invalid is null ? "the catalog must be a JSON array of products" : $"product '{invalid.Id}' needs a valid id, a name and a price >= 0", statusCode: 400);
        }

        if (confirmRemoval != true && await catalog.ReadStoredIdsAsync(cancellationToken).ConfigureAwait(false) is { Count: > 0 } current)
        {
            var incoming = products.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
            var removed = current.Count(id => !incoming.Contains(id));
            var share = catalogOptions.Value.MaxRemovedShare;
            if (removed > current.Count * share)
            {
                return TypedResults.Problem(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"the new catalog would remove {removed} of {current.Count} products ({100.0 * removed / current.Count:0.#} %), more than {100 * share:0.#} % (Recommender:Catalog:MaxRemovedShare); send it again with ?confirmRemoval=true to replace the catalog anyway"),
                    statusCode: StatusCodes.Status409Conflict, title: "Confirmation needed");
            }
        }

        try
        {
            await catalog.SaveAsync(products, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: 400);
        }

        return TypedResults.NoContent();
    }
}
