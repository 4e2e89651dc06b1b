using System.Text.Json;

namespace Recommender.Functions.PackageTests;

/// <summary>The published <c>host.json</c> describes a runnable custom-handler app.</summary>
[Collection(PublishedPackageCollection.Name)]
public sealed class PublishedHostJsonTests(PublishedPackage package)
{
    private JsonElement Host => package.HostJson;

    [Fact]
    public void Published_HostJson_IsSchemaVersion2()
    {
        Assert.Equal("2.0", Host.GetProperty("version").GetString());
    }

    [Fact]
    public void Published_HostJson_UsesTheFunctionsExtensionBundleWithAVersionRange()
    {
        var bundle = Host.GetProperty("extensionBundle");
        Assert.Equal("Microsoft.Azure.Functions.ExtensionBundle", bundle.GetProperty("id").GetString());
        var version = bundle.GetProperty("version").GetString();
        Assert.Matches(@"^[\[(]\s*\d+(\.[\d*]+)*\s*,\s*\d+(\.\d+)*\s*[\])]$", version);
    }

    [Fact]
    public void Published_HostJson_PointsAtExecutable()
    {
        var path = Host.GetProperty("customHandler").GetProperty("description").GetProperty("defaultExecutablePath").GetString();
        Assert.False(string.IsNullOrWhiteSpace(path));
        var executable = Path.Combine(package.Root, path);
        Assert.True(File.Exists(executable), $"defaultExecutablePath '{path}' is not a file of the package");

        if (!OperatingSystem.IsWindows()) // Windows file systems have no mode bits to check
        {
            Assert.True((File.GetUnixFileMode(executable) & UnixFileMode.UserExecute) != 0, $"'{path}' lacks the user-execute bit");
        }

        var header = new byte[4];
        using (var stream = File.OpenRead(executable))
        {
            stream.ReadExactly(header);
        }

        Assert.Equal(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F' }, header);
    }

    [Fact]
    public void Published_HostJson_SendsQueueMessagesAsPlainText()
    {
        Assert.Equal("none", Host.GetProperty("extensions").GetProperty("queues").GetProperty("messageEncoding").GetString());
    }

    [Fact]
    public void Published_HostJson_ProxiesHttpRequests()
    {
        Assert.True(Host.GetProperty("customHandler").GetProperty("enableProxyingHttpRequest").GetBoolean());
    }
}
