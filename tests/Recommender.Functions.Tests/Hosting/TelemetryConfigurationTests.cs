using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Recommender.Functions.Hosting;

namespace Recommender.Functions.Tests;

/// <summary>Which identity the Azure Monitor exporter authenticates with, and that telemetry stays off unless configured.</summary>
public sealed class TelemetryConfigurationTests
{
    private static IConfiguration Settings(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();

    [Fact]
    public void Credential_TheHostsAuthenticationString_NamesTheUserAssignedIdentity()
    {
        Assert.IsType<ManagedIdentityCredential>(TelemetryExtensions.Credential(Settings((TelemetryExtensions.AuthenticationStringSetting, "ClientId=0000-1111;Authorization=AAD"))));
        Assert.IsType<ManagedIdentityCredential>(TelemetryExtensions.Credential(Settings(("Recommender:Azure:ManagedIdentityClientId", "0000-1111"))));
        Assert.IsType<DefaultAzureCredential>(TelemetryExtensions.Credential(Settings((TelemetryExtensions.AuthenticationStringSetting, "Authorization=AAD"))));
        Assert.Null(TelemetryExtensions.Credential(Settings()));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("Recommender:Telemetry:Console", true)]
    [InlineData("Recommender:Telemetry:OtlpEndpoint", true)]
    [InlineData("Recommender:Telemetry:Enabled", true)]
    public void Providers_AreRegistered_OnlyWhenAnExporterIsConfiguredOrTelemetryIsForcedOn(string? setting, bool registered)
    {
        var services = new ServiceCollection();
        var value = setting switch { "Recommender:Telemetry:OtlpEndpoint" => "http://127.0.0.1:4317", _ => "true" };

        services.AddRecommenderTelemetry(setting is null ? Settings() : Settings((setting, value)));

        using var provider = services.BuildServiceProvider();
        Assert.Equal(registered, provider.GetService<TracerProvider>() is not null);
    }
}
