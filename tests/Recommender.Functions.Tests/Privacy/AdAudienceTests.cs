using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Recommender.Domain.Ports;
using Recommender.Domain.Privacy;

namespace Recommender.Functions.Tests;

public class AdAudienceTests
{
    private static string Sha(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    [Fact]
    public async Task OnlyCustomersWithAdAudienceConsent_AreExported_AsHashesOfNormalizedContacts()
    {
        await using var app = new TestApp();
        var now = app.Clock.GetUtcNow();
        object Account(string id, string customer, string email, string phone, int? birthYear = null) =>
            new { id, type = "account", customerId = customer, email, phone, birthYear, occurredAt = now };
        await app.PostEventsAsync(
            Account("a1", "yes", "  Ann.Smith@Example.COM ", "+33 6 12-34-56-78"),
            Account("a2", "no", "bob@example.com", "+14155550123"),
            Account("a3", "teen", "kid@example.com", "+447700900123", now.Year - 14),
            app.Consent("k1", "yes", true, "ad_audiences"),
            app.Consent("k2", "teen", true, "ad_audiences"));
        using var client = app.CreateClient();

        var export = await client.GetFromJsonAsync<AdAudienceExport>("/api/privacy/ad-audiences", Recommender.Domain.Json.Options);

        Assert.Equal(1, export!.Customers);
        Assert.Equal([Sha("ann.smith@example.com")], export.EmailSha256);
        Assert.Equal([Sha("+33612345678")], export.PhoneSha256);

        // The raw contact details were never stored anywhere.
        var blobs = app.Get<IBlobStore>();
        await foreach (var item in blobs.ListAsync(""))
        {
            var bytes = (await blobs.GetAsync(item.Name))!.Value.Content;
            var text = item.Name.EndsWith(".gz", StringComparison.Ordinal)
                ? await new StreamReader(new System.IO.Compression.GZipStream(new MemoryStream(bytes), System.IO.Compression.CompressionMode.Decompress)).ReadToEndAsync()
                : Encoding.UTF8.GetString(bytes);
            Assert.DoesNotContain("example.com", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("12-34-56", text, StringComparison.Ordinal);
        }

        var profile = System.Text.Json.JsonSerializer.Serialize(await app.Get<Recommender.Domain.Profiles.ProfileStore>().GetAsync("yes"), Recommender.Domain.Json.Options);
        Assert.DoesNotContain("example.com", profile, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("not-an-email", "+33612345678", "email")]
    [InlineData("a@b.co", "0612345678", "phone")]
    public async Task BadContactDetails_AreRefusedWithTheField(string email, string phone, string field)
    {
        await using var app = new TestApp();

        var response = await app.PostEventsAsync(new { id = "a1", type = "account", customerId = "c1", email, phone, occurredAt = app.Clock.GetUtcNow() });

        var result = (await TestApp.ReadJsonAsync(response)).GetProperty("results")[0];
        Assert.False(result.GetProperty("accepted").GetBoolean());
        Assert.Contains(field, result.GetProperty("error").GetString(), StringComparison.Ordinal);
    }
}
