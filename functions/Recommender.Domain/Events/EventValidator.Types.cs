namespace Recommender.Domain.Events;

/// <summary>The fields of each event type (README, "Events"); anything else is dropped.</summary>
public sealed partial class EventValidator
{
    private ClickstreamEvent? BuildType(FieldReader r, ClickstreamEvent e, DateTimeOffset now) => e.Type switch
    {
        EventType.SessionStart => e with
        {
            Referrer = Referrer(r),
            UtmSource = r.String("utm_source", false, MaxLabelLength),
            UtmMedium = r.String("utm_medium", false, MaxLabelLength),
            UtmCampaign = r.String("utm_campaign", false, MaxLabelLength),
        },
        EventType.PageView => e with { PageType = r.Choice<PageType>("pageType", true), Category = Label(r, "category") },
        EventType.View => e with
        {
            ProductId = r.Id("productId"),
            Price = r.Price("price", false),
            Currency = Currency(r),
            Category = Label(r, "category"),
            Brand = Label(r, "brand"),
        },
        EventType.Search => e with
        {
            Query = r.String("query", true, MaxQueryLength),
            Filters = r.StringMap("filters", MaxFilterKeys, MaxLabelLength, MaxFilterValues),
            ResultIds = r.IdList("resultIds", false, 0, MaxResultIds),
            ResultCount = r.Integer("resultCount", false, 0, int.MaxValue),
        },
        EventType.Filter => e with
        {
            Name = r.String("name", true, MaxLabelLength),
            Value = r.String("value", true, MaxLabelLength),
            Category = Label(r, "category"),
        },
        EventType.AddToCart or EventType.RemoveFromCart => e with
        {
            ProductId = r.Id("productId"),
            Quantity = r.Quantity("quantity") ?? 1,
            Price = r.Price("price", false),
        },
        EventType.WishlistAdd or EventType.WishlistRemove or EventType.ReviewRead or EventType.NotInterested => e with { ProductId = r.Id("productId") },
        EventType.Compare => e with { ProductIds = r.IdList("productIds", true, MinComparedProducts, MaxComparedProducts, distinct: true) },
        EventType.ReviewWrite => e with { ProductId = r.Id("productId"), Rating = r.Integer("rating", true, 1, 5) },
        EventType.VideoView => e with { ProductId = r.Id("productId"), Seconds = r.Integer("seconds", true, 0, MaxVideoSeconds) },
        EventType.ImageZoom => e with { ProductId = r.Id("productId"), ImageIndex = r.Integer("imageIndex", false, 0, MaxImageIndex) },
        EventType.ScrollDepth => e with { Percent = r.Integer("percent", true, 0, 100), PageType = r.Choice<PageType>("pageType", false) },
        EventType.CheckoutStart => e with { CartValue = r.Money("cartValue", false, MaxAmount), Currency = Currency(r) },
        EventType.Purchase => e with
        {
            OrderId = r.Id("orderId"),
            Lines = r.Lines("lines", priceRequired: true),
            Subtotal = r.Money("subtotal", false, MaxAmount),
            Tax = r.Money("tax", false, MaxAmount),
            Shipping = r.Money("shipping", false, MaxAmount),
            Discount = r.Money("discount", false, MaxAmount),
            Total = r.Money("total", false, MaxAmount),
            Currency = Currency(r),
        },
        EventType.Return => e with
        {
            OrderId = r.Id("orderId"),
            Lines = r.Lines("lines", priceRequired: false),
            Reason = r.Choice<ReturnReason>("reason", false),
            RefundAmount = r.Money("refundAmount", false, MaxAmount),
            Currency = Currency(r),
        },
        EventType.Delivery => e with
        {
            OrderId = r.Id("orderId"),
            ProductIds = r.IdList("productIds", false, 1, MaxOrderLines, distinct: true),
        },
        EventType.EmailOpen or EventType.PushOpen => e with { MessageId = r.Id("messageId"), CampaignId = r.Id("campaignId", false) },
        EventType.EmailClick or EventType.PushClick => e with
        {
            MessageId = r.Id("messageId"),
            CampaignId = r.Id("campaignId", false),
            ProductId = r.Id("productId", false),
        },
        EventType.RecommendationImpression => e with
        {
            RecommendationId = r.Id("recommendationId"),
            Placement = r.String("placement", true, MaxPlacementLength),
            Position = r.Integer("position", false, 0, MaxPosition),
            Variant = r.String("variant", false, MaxPlacementLength),
            ProductIds = r.IdList("productIds", true, 1, MaxImpressionProducts),
        },
        EventType.RecommendationClick => e with
        {
            RecommendationId = r.Id("recommendationId"),
            Placement = r.String("placement", true, MaxPlacementLength),
            Position = r.Integer("position", true, 0, MaxPosition),
            Variant = r.String("variant", false, MaxPlacementLength),
            ProductId = r.Id("productId"),
        },
        EventType.CatalogChange => CatalogChange(r, e),
        EventType.Consent => Consent(r, e),
        EventType.Identify => e,
        EventType.Account => Account(r, e, now),
        _ => r.Fail($"unknown event type '{e.Type}'"),
    };

    private static string? Label(FieldReader r, string name) => r.String(name, false, MaxLabelLength);

    private static string? Currency(FieldReader r) =>
        r.Formatted("currency", 3, IsCurrencyCode, "an ISO 4217 code of 3 capital letters");

    /// <summary>Only the referring host is kept; a referrer without one is dropped and reported.</summary>
    private static string? Referrer(FieldReader r)
    {
        if (r.String("referrer", false, MaxReferrerLength) is not { } referrer)
        {
            return null;
        }

        var host = PrivacyFilters.ReferrerHost(referrer);
        if (host is null)
        {
            r.Drop("referrer");
        }

        return host;
    }

    private static ClickstreamEvent? CatalogChange(FieldReader r, ClickstreamEvent e)
    {
        var kind = r.Choice<CatalogChangeKind>("change", true);
        if (kind == CatalogChangeKind.Sale)
        {
            // A flash sale is about a category: no product, so no product fields (any sent are dropped and reported).
            return e with
            {
                Change = kind,
                Source = r.Id("source", false),
                Category = r.String("category", true, MaxLabelLength),
                Percent = r.Integer("percent", false, 1, 99),
                Name = r.String("name", false, MaxProductNameLength),
            };
        }

        var change = e with
        {
            ProductId = r.Id("productId"),
            Change = kind,
            Source = r.Id("source", false),
        };
        var price = r.Price("price", change.Change == CatalogChangeKind.Price);
        var previousPrice = r.Price("previousPrice", false);
        var inStock = r.Boolean("inStock", change.Change == CatalogChangeKind.Stock);
        var attributes = r.StringMap("attributes", MaxAttributes, MaxLabelLength, maxValues: 0);
        var visibility = r.Choice<Catalog.ProductVisibility>("visibility", false);
        var launchAt = r.Timestamp("launchAt", required: false);
        var endOfSaleAt = r.Timestamp("endOfSaleAt", required: false);
        return change with
        {
            Visibility = visibility,
            LaunchAt = launchAt,
            EndOfSaleAt = endOfSaleAt,
            Price = price,
            PreviousPrice = previousPrice,
            InStock = inStock,
            Name = r.String("name", false, MaxProductNameLength),
            Category = Label(r, "category"),
            Brand = Label(r, "brand"),
            Attributes = attributes?.ToDictionary(a => a.Key, a => a.Value[0], StringComparer.Ordinal),
        };
    }

    private static ClickstreamEvent? Consent(FieldReader r, ClickstreamEvent e)
    {
        var channel = r.String("channel", true, 32);
        var granted = r.Boolean("granted");
        var policy = r.String("policyVersion", true, 32);
        var source = r.String("source", true, 64);
        var relayedBy = r.String("relayedBy", false, MaxRelayLength);
        if (channel is not null && !ConsentChannels.Contains(channel))
        {
            return r.Fail($"unknown consent channel '{channel}'");
        }

        return e with { Channel = channel, Granted = granted, PolicyVersion = policy, Source = source, RelayedBy = relayedBy };
    }

    /// <summary>Only what is given is stored; an account event gives at least one fact.</summary>
    private static ClickstreamEvent? Account(FieldReader r, ClickstreamEvent e, DateTimeOffset now)
    {
        var email = r.String("email", false, 254);
        var phone = r.String("phone", false, 32);
        string? emailHash = null, phoneHash = null;
        if (email is not null)
        {
            emailHash = ContactHashes.Email(email);
            if (emailHash is null)
            {
                return r.Fail("email is not an email address");
            }
        }

        if (phone is not null)
        {
            phoneHash = ContactHashes.Phone(phone);
            if (phoneHash is null)
            {
                return r.Fail("phone must be an E.164 number such as +33612345678");
            }
        }

        var account = e with
        {
            BirthYear = r.Integer("birthYear", false, MinBirthYear, now.Year),
            AgeVerifiedAdult = r.Boolean("ageVerifiedAdult", false),
            TimeZone = r.Formatted("timeZone", MaxTimeZoneLength, IsTimeZoneName, "an IANA time zone name such as Europe/Paris"),
            EmailSha256 = emailHash,
            PhoneSha256 = phoneHash,
            PreferredCategories = r.Labels("preferredCategories", MaxStatedPreferences, MaxLabelLength),
            PreferredBrands = r.Labels("preferredBrands", MaxStatedPreferences, MaxLabelLength),
        };
        return account is { BirthYear: null, AgeVerifiedAdult: null, TimeZone: null, EmailSha256: null, PhoneSha256: null, PreferredCategories: null, PreferredBrands: null }
            ? r.Fail("account needs birthYear, ageVerifiedAdult, timeZone, email, phone, preferredCategories or preferredBrands")
            : account;
    }
}
