namespace Recommender.Adapters.Azure;

/// <summary>
/// HTTP for the Cosmos DB emulator only: it serves a self-signed certificate, so this handler
/// accepts any server certificate. Used solely when <see cref="AzureOptions.CosmosConnectionString"/>
/// is set (never with identity-based production endpoints).
/// </summary>
internal static class EmulatorHttp
{
    private static readonly HttpClientHandler SharedHandler = CreateHandler();

    /// <summary>A client over the shared handler (which outlives every client, so connections are reused).</summary>
    public static HttpClient CreateClient() => new(SharedHandler, disposeHandler: false);

    /// <summary>A handler that accepts the emulator's self-signed certificate.</summary>
    public static HttpClientHandler CreateHandler() => new()
    {
        ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
    };
}
