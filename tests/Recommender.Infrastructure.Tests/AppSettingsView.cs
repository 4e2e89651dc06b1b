using System.Text.Json.Nodes;

namespace Recommender.Infrastructure.Tests;

/// <summary>
/// The function app's settings as compiled: <c>appSettings</c> (every plan) and
/// <c>premiumSettings</c> (added on Elastic Premium only), name → value or expression.
/// </summary>
internal sealed class AppSettingsView
{
    public AppSettingsView(ArmTemplate functionApp)
    {
        ArgumentNullException.ThrowIfNull(functionApp);
        Config = functionApp.SingleResource("Microsoft.Web/sites/config");
        Common = ToDictionary(functionApp.Variable("appSettings"));
        Premium = ToDictionary(functionApp.Variable("premiumSettings"));
    }

    /// <summary>The <c>sites/config</c> resource that writes the settings.</summary>
    public JsonObject Config { get; }

    public IReadOnlyDictionary<string, string> Common { get; }

    public IReadOnlyDictionary<string, string> Premium { get; }

    public IEnumerable<KeyValuePair<string, string>> All => Common.Concat(Premium);

    private static Dictionary<string, string> ToDictionary(JsonNode settings) =>
        settings.AsObject().ToDictionary(setting => setting.Key, setting => setting.Value!.GetValue<string>(), StringComparer.Ordinal);
}
