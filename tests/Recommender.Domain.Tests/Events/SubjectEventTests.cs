using Recommender.Domain.Events;
using static Recommender.Domain.Tests.Events.EventExamples;

namespace Recommender.Domain.Tests.Events;

/// <summary>Who an event is about (customer, anonymous visitor, no one) and the catalog, consent, identify and account events.</summary>
public class SubjectEventTests
{
    [Fact]
    public void AnonymousEvent_WithoutCustomerId_IsAcceptedAndAttributedToTheVisitor()
    {
        var node = Node("view");
        node.Remove("customerId");
        node["anonymousId"] = "cookie-7f3a";

        var e = Valid(node.ToJsonString());

        Assert.Null(e.CustomerId);
        Assert.Equal("cookie-7f3a", e.AnonymousId);
        Assert.Equal("anon:cookie-7f3a", e.SubjectId);
    }

    [Fact]
    public void Event_WithCustomerAndAnonymousIds_IsAttributedToTheCustomer()
    {
        var e = Valid(With("view", "anonymousId", "\"cookie-7f3a\""));

        Assert.Equal(("c1", "cookie-7f3a", "c1"), (e.CustomerId, e.AnonymousId, e.SubjectId));
    }

    [Fact]
    public void Event_WithNeitherCustomerNorAnonymousId_IsRefused() =>
        Assert.Contains("customerId is required (or anonymousId", Validate(With("view", "customerId", null)).Error, StringComparison.Ordinal);

    [Fact]
    public void CustomerId_InTheAnonymousNamespace_IsRefused() =>
        Assert.Contains("customerId must not start with 'anon:'", Validate(With("view", "customerId", "\"anon:someone\"")).Error, StringComparison.Ordinal);

    [Theory]
    [InlineData("anonymousId", "\"x y\"", "anonymousId may contain only")]
    [InlineData("sessionId", "12", "sessionId must be a string")]
    public void CommonIds_FollowTheIdRules(string field, string rawJson, string reason) =>
        Assert.Contains(reason, Validate(With("view", field, rawJson)).Error, StringComparison.Ordinal);

    [Fact]
    public void CatalogChange_KeepsTheProductFacts_AndIsAboutNoOne()
    {
        var e = Valid(Json("catalog_change"));

        Assert.Equal((EventType.CatalogChange, "pim", "SHO-001", CatalogChangeKind.Price), (e.Type, e.Source, e.ProductId, e.Change));
        Assert.Equal((49.9m, 59.9m, true, "Trail Runner 2", "shoes", "Acme"), (e.Price, e.PreviousPrice, e.InStock, e.Name, e.Category, e.Brand));
        Assert.Equal("red", e.Attributes!["colour"]);
        Assert.Null(e.SubjectId);
    }

    [Theory]
    [InlineData("customerId", "customerId must be absent from catalog_change")]
    [InlineData("anonymousId", "anonymousId must be absent from catalog_change")]
    public void CatalogChange_NamingAPerson_IsRefused(string field, string reason) =>
        Assert.Contains(reason, Validate(With("catalog_change", field, "\"c1\"")).Error, StringComparison.Ordinal);

    [Fact]
    public void CatalogChange_StockChange_NeedsInStock()
    {
        var node = Node("catalog_change");
        node["change"] = "stock";
        node.Remove("inStock");

        Assert.Contains("inStock is required", Validate(node.ToJsonString()).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void CatalogChange_Sale_NamesACategory_AndNoProduct()
    {
        var node = Node("catalog_change");
        node["change"] = "sale";
        node["percent"] = 30;

        var validation = Validate(node.ToJsonString());

        var e = validation.Event!;
        Assert.Equal((CatalogChangeKind.Sale, "shoes", 30, "Trail Runner 2", "pim"), (e.Change, e.Category, e.Percent, e.Name, e.Source));
        Assert.Null(e.ProductId);
        Assert.Null(e.Price);
        Assert.Equal(["attributes", "brand", "inStock", "previousPrice", "price", "productId"], validation.DroppedFields.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(null, "category is required")]
    [InlineData("100", "percent must be")]
    public void CatalogChange_Sale_NeedsACategory_AndAPercentBelow100(string? percent, string reason)
    {
        var node = Node("catalog_change");
        node["change"] = "sale";
        if (percent is null)
        {
            node.Remove("category");
        }
        else
        {
            node["percent"] = int.Parse(percent, System.Globalization.CultureInfo.InvariantCulture);
        }

        Assert.Contains(reason, Validate(node.ToJsonString()).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void CatalogChange_MoreThan20Attributes_IsRefused()
    {
        var attributes = string.Join(",", Enumerable.Range(0, 21).Select(i => $"\"a{i}\":\"v\""));

        Assert.Contains("attributes may have at most 20 keys", Validate(With("catalog_change", "attributes", $"{{{attributes}}}")).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Consent_KeepsChannelGrantPolicyAndSource()
    {
        var e = Valid(Json("consent"));

        Assert.Equal((EventType.Consent, "email", true, "2026-01", "signup_form"), (e.Type, e.Channel, e.Granted, e.PolicyVersion, e.Source));
    }

    [Theory]
    [InlineData("ad_audiences")]
    [InlineData("personalization")]
    public void Consent_AcceptsEveryChannel(string channel) =>
        Assert.Equal(channel, Valid(With("consent", "channel", $"\"{channel}\"")).Channel);

    [Fact]
    public void Identify_LinksTheVisitorToTheCustomer()
    {
        var e = Valid(Json("identify"));

        Assert.Equal((EventType.Identify, "c1", "cookie-7f3a", "c1"), (e.Type, e.CustomerId, e.AnonymousId, e.SubjectId));
    }

    [Fact]
    public void Account_KeepsWhatIsGiven()
    {
        var e = Valid(Json("account"));

        Assert.Equal((EventType.Account, 1990, true, "Europe/Paris"), (e.Type, e.BirthYear, e.AgeVerifiedAdult, e.TimeZone));

        var node = Node("account");
        node.Remove("birthYear");
        node.Remove("ageVerifiedAdult");
        node["timeZone"] = "America/Argentina/Buenos_Aires";
        var onlyZone = Valid(node.ToJsonString());
        Assert.Equal((null, null, "America/Argentina/Buenos_Aires"), (onlyZone.BirthYear, onlyZone.AgeVerifiedAdult, onlyZone.TimeZone));
    }

    [Fact]
    public void Account_WithNothingGiven_IsRefused()
    {
        var node = Node("account");
        node.Remove("birthYear");
        node.Remove("ageVerifiedAdult");
        node.Remove("timeZone");

        Assert.Contains("account needs birthYear, ageVerifiedAdult, timeZone, email, phone, preferredCategories or preferredBrands", Validate(node.ToJsonString()).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Account_ForAnAnonymousVisitor_IsRefused()
    {
        var node = Node("account");
        node.Remove("customerId");
        node["anonymousId"] = "cookie-7f3a";

        Assert.Contains("customerId is required for account", Validate(node.ToJsonString()).Error, StringComparison.Ordinal);
    }
}
