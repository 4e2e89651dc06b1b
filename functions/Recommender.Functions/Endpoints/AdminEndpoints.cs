using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Recommender.Domain;
using Recommender.Domain.Catalog;
using Recommender.Domain.Events;
using Recommender.Domain.Recommendations;
using Recommender.Domain.Training;

namespace Recommender.Functions.Endpoints;

/// <summary>
/// The data team's endpoints: training runs on demand and their status, model versions with their
/// metrics, rollback and pinning, and catalog upload. In Azure these are functions with
/// <c>authLevel: function</c>.
/// </summary>
/// <summary>The served pointer and every model version.</summary>
public sealed record ModelCatalog(CurrentModel? Current, IReadOnlyList<ModelManifest> Versions);

public static class AdminEndpoints
{
    public const int MaxCatalogBytes = 32 * 1024 * 1024;

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/admin/retrain", RetrainAsync).WithName("api-retrain");
        app.MapGet("/api/admin/training/{runId}", GetTrainingRunAsync).WithName("api-training-run");
        app.MapGet("/api/admin/models", ListModelsAsync).WithName("api-models");
        app.MapGet("/api/admin/models/{version}", GetModelAsync).WithName("api-model");
        app.MapPost("/api/admin/models/{version}/rollback", (string version, ModelStore models, CancellationToken ct) => PointAsync(version, pinned: false, models, ct)).WithName("api-model-rollback");
        app.MapPost("/api/admin/models/{version}/pin", (string version, ModelStore models, CancellationToken ct) => PointAsync(version, pinned: true, models, ct)).WithName("api-model-pin");
        app.MapDelete("/api/admin/models/pin", UnpinAsync).WithName("api-model-unpin");
        app.MapWorkflowApi();
        app.MapSegmentsApi();
        app.MapAttributionApi();
        app.MapBanditApi();
        app.MapPut("/api/admin/catalog", PutCatalogAsync).WithName("api-catalog");
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
    private static async Task<Results<NoContent, ProblemHttpResult>> PutCatalogAsync(HttpRequest request, bool? confirmRemoval, CatalogProvider catalog,
        Microsoft.Extensions.Options.IOptions<CatalogOptions> catalogOptions, CancellationToken cancellationToken)
    {
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
